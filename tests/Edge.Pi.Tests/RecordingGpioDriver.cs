using System.Device.Gpio;

namespace Edge.Pi.Tests;

/// <summary>
/// A <see cref="GpioDriver"/> for tests: 28 pins (a Raspberry Pi's header GPIO 0–27) that records every open, write and
/// close, with pins that can be made busy or forbidden.
/// </summary>
internal sealed class RecordingGpioDriver : GpioDriver
{
    private readonly Dictionary<int, PinValue> _values = [];
    private readonly Dictionary<int, PinMode> _modes = [];

    public List<string> Events { get; } = [];
    public List<(int Pin, PinValue Value)> Writes { get; } = [];
    public HashSet<int> Busy { get; } = [];
    public HashSet<int> Forbidden { get; } = [];
    public HashSet<int> Open { get; } = [];

    protected override int PinCount => 28;

    protected override void OpenPin(int pinNumber)
    {
        if (Busy.Contains(pinNumber)) throw new IOException("Device or resource busy");
        if (Forbidden.Contains(pinNumber)) throw new UnauthorizedAccessException("Permission denied");
        Open.Add(pinNumber);
        Events.Add($"open {pinNumber}");
    }

    protected override void ClosePin(int pinNumber)
    {
        Open.Remove(pinNumber);
        Events.Add($"close {pinNumber}");
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => _modes[pinNumber] = mode;

    protected override PinMode GetPinMode(int pinNumber) => _modes.GetValueOrDefault(pinNumber, PinMode.Input);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => _values.GetValueOrDefault(pinNumber, PinValue.Low);

    protected override void Write(int pinNumber, PinValue value)
    {
        _values[pinNumber] = value;
        Writes.Add((pinNumber, value));
        Events.Add($"write {pinNumber} {(value == PinValue.High ? "high" : "low")}");
    }

    public PinValue Level(int pin) => _values.GetValueOrDefault(pin, PinValue.Low);

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
        => throw new NotSupportedException();

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
        => throw new NotSupportedException();

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
        => throw new NotSupportedException();
}
