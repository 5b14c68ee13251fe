namespace Edge.Vision.Pipeline;

/// <summary>
/// The hand-over between the capture thread and the inference loop: three frame buffers, reused forever — one being
/// written, one being processed, and one either ready (the latest whole frame) or free. Publishing a frame while the
/// previous one is still unclaimed drops the older one (<see cref="Dropped"/>) under <see cref="FramePolicy.Latest"/>,
/// or waits for the loop to claim it under <see cref="FramePolicy.Every"/>. Monitor wait/pulse: nothing is allocated per frame.
/// </summary>
internal sealed class FrameSlots
{
    private readonly object _gate = new();
    private readonly byte[][] _buffers;
    private readonly FramePolicy _policy;
    private int _writing = 0, _reading = 1, _free = 2, _ready = -1;
    private long _readySequence, _readyTimestamp;
    private bool _ended;

    public FrameSlots(int frameBytes, FramePolicy policy)
    {
        _buffers = [new byte[frameBytes], new byte[frameBytes], new byte[frameBytes]];
        _policy = policy;
    }

    public long Dropped { get; private set; }

    /// <summary>The buffer the capture thread fills next.</summary>
    public byte[] WriteBuffer => _buffers[_writing];

    /// <summary>Capture thread: the write buffer now holds frame <paramref name="sequence"/>. False once ended.</summary>
    public bool Publish(long sequence, long timestamp)
    {
        lock (_gate)
        {
            if (_policy == FramePolicy.Every)
                while (_ready >= 0 && !_ended) Monitor.Wait(_gate);
            if (_ended) return false;
            int next;
            if (_ready >= 0)
            {
                Dropped++;
                next = _ready; // the stale frame's buffer is written over
            }
            else next = _free;
            _ready = _writing;
            _writing = next;
            (_readySequence, _readyTimestamp) = (sequence, timestamp);
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>Inference loop: waits for the latest frame; false once ended with no frame left.</summary>
    public bool Take(out byte[] frame, out long sequence, out long timestamp)
    {
        lock (_gate)
        {
            while (_ready < 0 && !_ended) Monitor.Wait(_gate);
            if (_ready < 0)
            {
                (frame, sequence, timestamp) = (_buffers[_reading], -1, 0);
                return false;
            }
            _free = _reading;
            _reading = _ready;
            _ready = -1;
            (frame, sequence, timestamp) = (_buffers[_reading], _readySequence, _readyTimestamp);
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>No more frames (the stream ended) — or stop now (<paramref name="discard"/>: a ready frame is not handed out).</summary>
    public void End(bool discard)
    {
        lock (_gate)
        {
            _ended = true;
            if (discard && _ready >= 0)
            {
                _free = _ready;
                _ready = -1;
            }
            Monitor.PulseAll(_gate);
        }
    }
}

/// <summary>What the capture thread does when the inference loop is slower than the source.</summary>
public enum FramePolicy
{
    /// <summary>Keep only the latest frame; stale ones are dropped and counted (live cameras).</summary>
    Latest,

    /// <summary>Wait until the loop has taken each frame (files and tests: every frame gets a prediction).</summary>
    Every,
}
