using System.Diagnostics;
using Edge.Core.Errors;
using Edge.Vision.Images;

namespace Edge.Vision.Sources;

/// <summary>A program Edge needs for a file is not installed.</summary>
public sealed class ToolNotFoundException(string file, string tool, string hint)
    : EdgeException($"{file}: reading this file needs {tool}, which is not installed ({hint})")
{
    public string Tool { get; } = tool;
}

/// <summary>
/// Decodes one still image of any format ffmpeg reads (JPEG, WebP, TIFF, GIF, a video's first frame…) by running
/// <c>ffmpeg -i FILE -frames:v 1 -f image2pipe -c:v ppm -pix_fmt rgb24 -</c> (pgm/gray for gray) without a shell and decoding
/// its output with <see cref="PnmDecoder"/>: a PPM/PGM stream carries its width and height, so raw pixels need no
/// second probe. Formats Edge reads natively (<see cref="ImageDecoder"/>) never go through here.
/// </summary>
public static class FfmpegImage
{
    /// <summary>The ffmpeg executable on <paramref name="searchPath"/> (default: the PATH environment variable), or null.</summary>
    public static string? Locate(string? searchPath = null)
    {
        var path = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in OperatingSystem.IsWindows() ? new[] { "ffmpeg.exe" } : ["ffmpeg"])
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>Decodes <paramref name="file"/> to 8-bit gray (<paramref name="gray"/>) or RGB.</summary>
    /// <exception cref="ToolNotFoundException">ffmpeg is not on the PATH.</exception>
    /// <exception cref="DataFormatException">ffmpeg cannot decode the file.</exception>
    public static DecodedImage Decode(string file, bool gray, string? searchPath = null)
    {
        if (!File.Exists(file)) throw new DataFormatException(file, "no such file");
        var ffmpeg = Locate(searchPath) ?? throw new ToolNotFoundException(file, "ffmpeg",
            $"install it, or convert the image to one of {string.Join(", ", ImageDecoder.Extensions)}");
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-v", "error", "-nostdin", "-i", file, "-frames:v", "1", "-f", "image2pipe",
                     "-c:v", gray ? "pgm" : "ppm", "-pix_fmt", gray ? "gray" : "rgb24", "-" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new DataFormatException(file, $"could not start {ffmpeg}");
        var errors = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0 || output.Length == 0)
        {
            var message = errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {process.ExitCode}";
            throw new DataFormatException(file, $"ffmpeg cannot decode it: {message}");
        }
        return PnmDecoder.Decode(output.ToArray(), file);
    }
}
