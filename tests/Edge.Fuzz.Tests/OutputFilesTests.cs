using Edge.Cli;

namespace Edge.Fuzz.Tests;

/// <summary>Outputs are written aside and renamed; an interrupt removes what was being written and leaves the target.</summary>
public sealed class OutputFilesTests
{
    [Fact]
    public void An_interrupt_during_a_write_deletes_the_temporary_file_and_keeps_the_old_output()
    {
        using var dir = new TempDir();
        string target = dir.File("report.html");
        File.WriteAllText(target, "old report");
        string temp = OutputFiles.TemporaryFor(target);
        OutputFiles.Track(target);
        File.WriteAllText(temp, "half a rep"); // what a writer had written when Ctrl+C came
        OutputFiles.CleanUp();
        OutputFiles.Done(target);
        Assert.False(File.Exists(temp));
        Assert.Equal("old report", File.ReadAllText(target));
    }

    [Fact]
    public void A_writer_that_fails_leaves_the_old_output_and_no_temporary_file()
    {
        using var dir = new TempDir();
        string target = dir.File("ACCURACY.md");
        File.WriteAllText(target, "old");
        Assert.Throws<InvalidOperationException>(() => OutputFiles.Write(target, temp =>
        {
            File.WriteAllText(temp, "partial");
            throw new InvalidOperationException("the writer failed");
        }));
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*.tmp"));
        OutputFiles.WriteText(target, "new");
        Assert.Equal("new", File.ReadAllText(target));
    }
}
