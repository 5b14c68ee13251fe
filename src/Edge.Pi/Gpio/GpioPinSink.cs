using System.Device.Gpio;
using System.Diagnostics;
using Edge.Core.Errors;
using Edge.Vision.Pipeline;
using Edge.Vision.Sinks;

namespace Edge.Pi.Gpio;

/// <summary>A GPIO pin cannot be used: it does not exist, another process holds it, or this user may not drive it.</summary>
public sealed class GpioPinException(int? pin, string message)
    : EdgeException(pin is null ? $"GPIO: {message}" : $"GPIO pin {pin}: {message}")
{
    public int? Pin { get; } = pin;
}

/// <summary>One pin driven by one class: high while the class is seen above the threshold.</summary>
/// <param name="Pin">The pin number in the controller's numbering (BCM/logical on a Raspberry Pi: GPIO17 is 17).</param>
/// <param name="ClassIndex">The model's class index.</param>
/// <param name="ClassName">Its name, for messages.</param>
public readonly record struct PinBinding(int Pin, int ClassIndex, string ClassName);

/// <summary>
/// Drives output pins from predictions, through System.Device.Gpio's <see cref="GpioController"/>: a pin goes high on the
/// first prediction of its class above the threshold, stays high while that class keeps being seen, and goes low only
/// when the class has not been seen for <see cref="Hold"/> (measured on the predictions' timestamps), so one stray
/// frame neither lights nor drops it. Pins are opened as outputs, low, when the sink is made, written only when their
/// level changes, and driven low and closed in <see cref="IPredictionSink.OnStopped"/> — which the pipeline calls on
/// every way out, a crash of the inference loop included.
/// </summary>
public sealed class GpioPinSink : IPredictionSink, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _ownsController;
    private readonly PinBinding[] _pins;
    private readonly bool[] _high;
    private readonly long[] _lastSeen;
    private readonly long _holdTicks;
    private bool _stopped;

    /// <exception cref="GpioPinException">A pin is out of range, busy or not permitted (the pins opened before it are closed again).</exception>
    public GpioPinSink(GpioController controller, IReadOnlyList<PinBinding> pins, TimeSpan hold, bool ownsController = false)
    {
        if (hold < TimeSpan.Zero) throw new ArgumentException($"hold time {hold}: must not be negative");
        var duplicate = pins.GroupBy(p => p.Pin).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new GpioPinException(duplicate.Key, "given twice");
        _controller = controller;
        _ownsController = ownsController;
        _pins = [.. pins];
        _high = new bool[_pins.Length];
        _lastSeen = new long[_pins.Length];
        Hold = hold;
        _holdTicks = (long)(hold.TotalSeconds * Stopwatch.Frequency);
        int opened = 0;
        try
        {
            for (; opened < _pins.Length; opened++) Open(_pins[opened].Pin);
        }
        catch
        {
            for (int i = 0; i < opened; i++) TryClose(_pins[i].Pin);
            if (ownsController) controller.Dispose();
            throw;
        }
    }

    /// <summary>The board's controller (libgpiod on a Raspberry Pi), as a clear error when there is none.</summary>
    /// <exception cref="GpioPinException">No GPIO controller on this machine, or no permission to open it.</exception>
    public static GpioController OpenController()
    {
        try
        {
            return new GpioController();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new GpioPinException(null, $"no usable GPIO controller on this machine ({e.Message.ReplaceLineEndings(" ")}); on a Raspberry Pi, add the user to the gpio group");
        }
    }

    public TimeSpan Hold { get; }

    public IReadOnlyList<PinBinding> Pins => _pins;

    /// <summary>Whether pin binding <paramref name="index"/> is high now.</summary>
    public bool IsHigh(int index) => _high[index];

    public void OnPrediction(in Prediction prediction)
    {
        if (_stopped) return;
        long now = prediction.ResultTimestamp;
        for (int i = 0; i < _pins.Length; i++)
        {
            bool seen = prediction.AboveThreshold && prediction.ClassIndex == _pins[i].ClassIndex;
            if (seen)
            {
                _lastSeen[i] = now;
                if (!_high[i]) Set(i, true);
            }
            else if (_high[i] && now - _lastSeen[i] >= _holdTicks) Set(i, false);
        }
    }

    /// <summary>Every pin low, then closed; the controller disposed when this sink owns it. Idempotent.</summary>
    public void OnStopped()
    {
        if (_stopped) return;
        _stopped = true;
        for (int i = 0; i < _pins.Length; i++)
        {
            try
            {
                _controller.Write(_pins[i].Pin, PinValue.Low);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // Keep releasing the others.
            }
            _high[i] = false;
            TryClose(_pins[i].Pin);
        }
        if (_ownsController) _controller.Dispose();
    }

    public void Dispose() => OnStopped();

    private void Set(int i, bool high)
    {
        _controller.Write(_pins[i].Pin, high ? PinValue.High : PinValue.Low);
        _high[i] = high;
    }

    private void Open(int pin)
    {
        try
        {
            if (pin < 0 || (_controller.PinCount > 0 && pin >= _controller.PinCount))
                throw new GpioPinException(pin, $"no such pin (this board has pins 0–{_controller.PinCount - 1})");
            if (_controller.IsPinOpen(pin)) throw new GpioPinException(pin, "busy: already open in this process");
            _controller.OpenPin(pin, PinMode.Output, PinValue.Low);
        }
        catch (GpioPinException)
        {
            throw;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new GpioPinException(pin, $"permission denied ({OneLine(e)}): add the user to the gpio group (sudo usermod -aG gpio $USER), then log in again");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            string m = OneLine(e);
            bool busy = m.Contains("busy", StringComparison.OrdinalIgnoreCase) || m.Contains("in use", StringComparison.OrdinalIgnoreCase) || e is InvalidOperationException;
            throw new GpioPinException(pin, busy ? $"busy: another process holds it ({m})" : $"cannot open it ({m})");
        }
        catch (ArgumentException e)
        {
            throw new GpioPinException(pin, $"no such pin ({OneLine(e)})");
        }
    }

    private void TryClose(int pin)
    {
        try
        {
            if (_controller.IsPinOpen(pin)) _controller.ClosePin(pin);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Nothing more to do for this pin.
        }
    }

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");
}
