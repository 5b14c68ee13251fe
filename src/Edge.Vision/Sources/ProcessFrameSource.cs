using System.Diagnostics;

namespace Edge.Vision.Sources;

/// <summary>What a <see cref="ProcessFrameSource"/> does when its producer ends after delivering frames.</summary>
public enum ProducerExitPolicy
{
    /// <summary>The stream ends: <see cref="IFrameSource.ReadFrame"/> returns false (files, test clips, <c>--frames</c>).</summary>
    Exit,

    /// <summary>The producer is started again after a back-off (a camera that crashed or was unplugged).</summary>
    Restart,
}

/// <summary>How to run the child process of a <see cref="ProcessFrameSource"/>.</summary>
public sealed record ProcessFrameSourceOptions
{
    /// <summary>The program (a name looked up on the PATH, or a path).</summary>
    public required string Program { get; init; }

    /// <summary>Its arguments, passed as they are (no shell).</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The frames it writes to stdout, back to back.</summary>
    public required FrameFormat Format { get; init; }

    public ProducerExitPolicy OnExit { get; init; } = ProducerExitPolicy.Exit;

    /// <summary>First wait before a restart; doubles after each run that delivers no frame, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Restarts in a row that deliver no frame before the source gives up with a <see cref="FrameSourceException"/>.</summary>
    public int MaxFailedRestarts { get; init; } = 5;

    /// <summary>Receives the producer's stderr, line by line (prefixed with the program's name), and restart notices.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>A hint shown when the program is not installed.</summary>
    public string? InstallHint { get; init; }
}

/// <summary>
/// Raw frames from a child process's stdout: <c>rpicam-vid --codec yuv420 … -o -</c> on a Raspberry Pi (see
/// <see cref="Rpicam"/>), <c>ffmpeg … -f rawvideo -</c> anywhere (<see cref="Ffmpeg"/>), or any program that writes
/// frames of <see cref="ProcessFrameSourceOptions.Format"/> back to back.
/// <para>
/// The child is started on the first read, without a shell; its stderr goes to <see cref="ProcessFrameSourceOptions.Log"/>
/// (its last line also goes into the error when it fails). When its stdout ends, a frame cut short is discarded and
/// counted; then the stream ends, or (<see cref="ProducerExitPolicy.Restart"/>) the child is started again after a
/// back-off. A child that ends before its first frame is an error right away, restart or not: a missing camera or a
/// bad argument fails in well under a second instead of looping. <see cref="Stop"/> kills the child (only it: walking the process tree reads all of /proc, far too slow for a prompt stop; a wrapper script should <c>exec</c> its producer),
/// which ends a blocked read. Should this process die without stopping, the child sees its stdout pipe close and exits
/// on its next write.
/// </para>
/// </summary>
public sealed class ProcessFrameSource : IFrameSource
{
    private readonly ProcessFrameSourceOptions _options;
    private readonly string _program;
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _stopped = new(false);
    private Process? _process;
    private Stream? _stdout;
    private volatile string _lastError = "";
    private long _framesRead, _partial;
    private int _restarts;
    private bool _disposed;
    private bool _deliveredSinceStart; // the current run delivered a whole frame

    public ProcessFrameSource(ProcessFrameSourceOptions options)
    {
        options.Format.Validate();
        _options = options;
        _program = Locate(options.Program) ?? throw new ProgramNotFoundException(options.Program, options.InstallHint ?? "install it, or put it on the PATH");
        Name = Path.GetFileName(options.Program);
    }

    public string Name { get; }
    public FrameFormat Format => _options.Format;
    public long FramesRead => Interlocked.Read(ref _framesRead);
    public long PartialFrames => Interlocked.Read(ref _partial);
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The running child's process id, or null (between runs, or stopped). For tests and logs.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                try { return _process is { HasExited: false } p ? p.Id : null; }
                catch (InvalidOperationException) { return null; }
            }
        }
    }

    /// <summary>
    /// The Pi camera through libcamera: <c>rpicam-vid --codec yuv420 --width W --height H --framerate F -t 0 -n -o -</c>
    /// (I420, limited range, as rpicam-vid's video streams are). It is restarted when it dies (the camera driver can time out).
    /// </summary>
    public static ProcessFrameSource Rpicam(int width, int height, double fps, Action<string>? log = null, ProducerExitPolicy onExit = ProducerExitPolicy.Restart)
        => new(new ProcessFrameSourceOptions
        {
            Program = "rpicam-vid",
            Arguments = ["--codec", "yuv420", "--width", Invariant(width), "--height", Invariant(height), "--framerate", Invariant(fps), "-t", "0", "-n", "-o", "-"],
            Format = new FrameFormat(width, height, FramePixelFormat.I420, YuvRange.Limited),
            OnExit = onExit,
            Log = log,
            InstallHint = "Raspberry Pi OS: sudo apt install rpicam-apps",
        });

    /// <summary>
    /// ffmpeg with the caller's input arguments (e.g. <c>-re -i clip.mp4</c>, <c>-f v4l2 -i /dev/video0</c>, a lavfi
    /// test source), scaled to W×H (and <paramref name="fps"/> when positive) and written as raw yuv420p:
    /// <c>ffmpeg -hide_banner -loglevel error -nostdin ARGS [-r F] -vf scale=W:H[:out_range=full] -pix_fmt yuv420p -f rawvideo -</c>.
    /// A <c>-vf</c> among the arguments gets the scale appended to its chain (a second <c>-vf</c> would replace it).
    /// <paramref name="range"/> is the range ffmpeg is told to write: limited (its default, as the Pi camera) or full.
    /// </summary>
    public static ProcessFrameSource Ffmpeg(IReadOnlyList<string> inputArguments, int width, int height, double fps = 0,
        Action<string>? log = null, ProducerExitPolicy onExit = ProducerExitPolicy.Exit, YuvRange range = YuvRange.Limited)
    {
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        args.AddRange(inputArguments);
        // scale, not -s: -s adds a scaler of its own after the chain, which converts back to limited range.
        string scale = $"scale={width}:{height}" + (range == YuvRange.Full ? ":out_range=full" : ":out_range=tv");
        int filter = args.FindIndex(a => a is "-vf" or "-filter:v");
        if (filter >= 0 && filter + 1 < args.Count) args[filter + 1] += "," + scale;
        else args.AddRange(["-vf", scale]);
        if (fps > 0) args.AddRange(["-r", Invariant(fps)]);
        args.AddRange(["-pix_fmt", "yuv420p", "-f", "rawvideo", "-"]);
        return new ProcessFrameSource(new ProcessFrameSourceOptions
        {
            Program = "ffmpeg",
            Arguments = args,
            Format = new FrameFormat(width, height, FramePixelFormat.I420, range),
            OnExit = onExit,
            Log = log,
            InstallHint = "Debian/Raspberry Pi OS: sudo apt install ffmpeg",
        });
    }

    public bool ReadFrame(Span<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.Length != Format.FrameBytes) throw new ArgumentException($"a {Format} frame is {Format.FrameBytes} bytes, the buffer {frame.Length}");
        var backoff = _options.InitialBackoff;
        int failedRestarts = 0;
        while (true)
        {
            if (_stopped.IsSet || cancellationToken.IsCancellationRequested) return false;
            var stdout = _stdout ?? Start();
            if (stdout is null) return false;
            int got = ReadFully(stdout, frame);
            if (got == frame.Length)
            {
                Interlocked.Increment(ref _framesRead);
                return true;
            }
            // The producer's stdout ended (it exited, or was killed): a frame cut short is dropped.
            if (got > 0) Interlocked.Increment(ref _partial);
            int exit = EndRun();
            if (_stopped.IsSet || cancellationToken.IsCancellationRequested) return false;
            bool deliveredThisRun = _deliveredSinceStart;
            if (FramesRead == 0)
                throw new FrameSourceException(Name, $"exited with code {exit} before its first frame{Detail()}");
            if (_options.OnExit == ProducerExitPolicy.Exit) return false;
            if (!deliveredThisRun && ++failedRestarts > _options.MaxFailedRestarts)
                throw new FrameSourceException(Name, $"restarted {_options.MaxFailedRestarts} times without delivering a frame (last exit code {exit}){Detail()}");
            if (deliveredThisRun) backoff = _options.InitialBackoff;
            _options.Log?.Invoke($"{Name}: exited with code {exit}{Detail()}; restarting in {backoff.TotalSeconds:0.###} s");
            if (WaitHandle.WaitAny([_stopped.WaitHandle, cancellationToken.WaitHandle], backoff) != WaitHandle.WaitTimeout) return false;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            Interlocked.Increment(ref _restarts);
        }
    }

    public void Stop()
    {
        _stopped.Set();
        lock (_gate) Kill(_process);
    }

    public void Dispose()
    {
        if (_disposed) return;
        Stop();
        lock (_gate)
        {
            if (_process is not null)
            {
                _process.WaitForExit(2000);
                _process.Dispose();
                _process = null;
                _stdout = null;
            }
        }
        _disposed = true;
    }

    private string Detail() => _lastError.Length == 0 ? "" : $": {_lastError}";

    private Stream? Start()
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in _options.Arguments) start.ArgumentList.Add(a);
        lock (_gate)
        {
            if (_stopped.IsSet) return null;
            _lastError = "";
            _deliveredSinceStart = false;
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new FrameSourceException(Name, $"could not start {_program}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new FrameSourceException(Name, $"could not start {_program}: {e.Message}");
            }
            process.ErrorDataReceived += (_, e) =>
            {
                if (string.IsNullOrWhiteSpace(e.Data)) return;
                _lastError = e.Data.Trim();
                _options.Log?.Invoke($"{Name}: {_lastError}");
            };
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            _process = process;
            _stdout = process.StandardOutput.BaseStream;
            return _stdout;
        }
    }

    private int ReadFully(Stream stream, Span<byte> frame)
    {
        int total = 0;
        while (total < frame.Length)
        {
            int n;
            try
            {
                n = stream.Read(frame[total..]);
            }
            catch (IOException)
            {
                n = 0;
            }
            catch (ObjectDisposedException)
            {
                n = 0;
            }
            if (n == 0) break;
            total += n;
        }
        if (total == frame.Length) _deliveredSinceStart = true;
        return total;
    }

    /// <summary>Waits for the child that closed its stdout, and returns its exit code (-1 when it did not exit in time).</summary>
    private int EndRun()
    {
        lock (_gate)
        {
            var p = _process;
            _process = null;
            _stdout = null;
            if (p is null) return -1;
            if (!p.WaitForExit(2000)) Kill(p);
            p.WaitForExit(2000);
            // Flush the asynchronous stderr reader so the last line is in _lastError.
            if (p.HasExited) p.WaitForExit();
            int code = p.HasExited ? p.ExitCode : -1;
            p.Dispose();
            return code;
        }
    }

    private static void Kill(Process? p)
    {
        if (p is null) return;
        try
        {
            if (!p.HasExited) p.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>The executable for <paramref name="program"/>: a path as it is (when it exists), else the first match on the PATH.</summary>
    public static string? Locate(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar)) return File.Exists(program) ? program : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string Invariant(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
