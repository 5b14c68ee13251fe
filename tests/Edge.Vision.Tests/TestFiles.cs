using Edge.Runtime.Session;

namespace Edge.Vision.Tests;

/// <summary>The shipped files the camera tests use, found above the test binaries; and temporary folders.</summary>
internal static class TestFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "firmware-models", "manifest.json"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no firmware-models/ above {AppContext.BaseDirectory}");
    });

    public static string RepoRoot => Root.Value;
    public static string Model(string name) => Path.Combine(RepoRoot, "firmware-models", name);
    public static string FashionTestImages => Model("data/fashion-test-images-idx3-ubyte.gz");
    public static EdgeSession LenetFashion() => EdgeSession.Load(Model("lenet5-fashion.edge"));

    /// <summary>ffmpeg on the PATH (CI installs it; the camera tests need it and fail without it).</summary>
    public static string Ffmpeg => Edge.Vision.Sources.ProcessFrameSource.Locate("ffmpeg")
        ?? throw new InvalidOperationException("ffmpeg is not installed: apt-get install ffmpeg (.ci/run does)");
}

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("edge-camera").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
