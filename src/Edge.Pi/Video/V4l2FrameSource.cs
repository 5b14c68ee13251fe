using Iot.Device.Media;
using Edge.Vision.Sources;

namespace Edge.Pi.Video;

/// <summary>
/// A V4L2 device (a USB webcam, <c>/dev/video0</c>) through Iot.Device.Bindings' <see cref="VideoDevice"/>, capturing
/// YUYV (the format every UVC webcam offers) at the requested size. The device streams on its own thread
/// (<see cref="VideoDevice.CaptureContinuous"/>); each new buffer is copied into a single pending frame, which
/// <see cref="ReadFrame"/> hands over — a newer buffer replaces one not yet read (counted in <see cref="Replaced"/>).
/// A buffer shorter than a frame (a device that changed its size) is discarded and counted as partial.
/// </summary>
public sealed class V4l2FrameSource : IFrameSource
{
    private readonly VideoDevice _device;
    private readonly object _gate = new();
    private readonly byte[] _pending;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private bool _hasPending, _ended;
    private long _read, _partial, _replaced;
    private Exception? _error;

    /// <exception cref="FrameSourceException">The device does not exist, cannot be opened, or offers no YUYV.</exception>
    public V4l2FrameSource(string devicePath, int width, int height)
    {
        Format = new FrameFormat(width, height, FramePixelFormat.Yuyv, YuvRange.Limited);
        Format.Validate();
        Name = devicePath;
        if (!File.Exists(devicePath)) throw new FrameSourceException(devicePath, "no such device (is the webcam plugged in? ls /dev/video*)");
        var name = Path.GetFileName(devicePath);
        if (!name.StartsWith("video", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(5), out int bus))
            throw new FrameSourceException(devicePath, "not a V4L2 device path (expected /dev/videoN)");
        try
        {
            _device = VideoDevice.Create(new VideoConnectionSettings(bus, ((uint)width, (uint)height), VideoPixelFormat.YUYV));
            var formats = _device.GetSupportedPixelFormats().ToList();
            if (formats.Count > 0 && !formats.Contains(VideoPixelFormat.YUYV))
                throw new FrameSourceException(devicePath, $"offers no YUYV (it has {string.Join(", ", formats)}); use ffmpeg:\"-f v4l2 -i {devicePath}\" instead");
        }
        catch (FrameSourceException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
        {
            throw new FrameSourceException(devicePath, $"cannot open it ({e.Message.ReplaceLineEndings(" ")}); is the user in the video group?");
        }
        _pending = new byte[Format.FrameBytes];
        _device.NewImageBufferReady += OnBuffer;
        _thread = new Thread(Stream) { IsBackground = true, Name = $"edge v4l2 ({devicePath})" };
        _thread.Start();
    }

    public string Name { get; }
    public FrameFormat Format { get; }
    public long FramesRead => Interlocked.Read(ref _read);
    public long PartialFrames => Interlocked.Read(ref _partial);
    public int Restarts => 0;

    /// <summary>Device buffers replaced by a newer one before they were read.</summary>
    public long Replaced => Interlocked.Read(ref _replaced);

    private void Stream()
    {
        try
        {
            _device.StartCaptureContinuous();
            _device.CaptureContinuous(_stop.Token);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            _error = e;
        }
        finally
        {
            try
            {
                _device.StopCaptureContinuous();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
            {
                // The device is gone.
            }
            lock (_gate)
            {
                _ended = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void OnBuffer(object sender, NewImageBufferReadyEventArgs e)
    {
        try
        {
            lock (_gate)
            {
                if (e.Length < _pending.Length)
                {
                    _partial++;
                    return;
                }
                if (_hasPending) _replaced++;
                e.ImageBuffer.AsSpan(0, _pending.Length).CopyTo(_pending);
                _hasPending = true;
                Monitor.PulseAll(_gate);
            }
        }
        finally
        {
            if (_device.ImageBufferPoolingEnabled) System.Buffers.ArrayPool<byte>.Shared.Return(e.ImageBuffer);
        }
    }

    public bool ReadFrame(Span<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.Length != Format.FrameBytes) throw new ArgumentException($"a {Format} frame is {Format.FrameBytes} bytes, the buffer {frame.Length}");
        lock (_gate)
        {
            while (!_hasPending && !_ended && !cancellationToken.IsCancellationRequested) Monitor.Wait(_gate, 100);
            if (_error is not null) throw new FrameSourceException(Name, $"capture failed: {_error.Message.ReplaceLineEndings(" ")}");
            if (!_hasPending) return false;
            _pending.CopyTo(frame);
            _hasPending = false;
            _read++;
            return true;
        }
    }

    public void Stop()
    {
        _stop.Cancel();
        lock (_gate)
        {
            _ended = true;
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose()
    {
        Stop();
        _thread.Join(2000);
        _device.NewImageBufferReady -= OnBuffer;
        _device.Dispose();
    }
}
