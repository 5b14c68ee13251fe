namespace Edge.Runtime.Session;

/// <summary>
/// A second thread called <c>Run</c> on an <see cref="EdgeSession"/> while another call was running. A session owns one
/// arena and is not thread-safe: use one session per thread.
/// </summary>
public sealed class SessionBusyException : InvalidOperationException
{
    public SessionBusyException(string model)
        : base($"{model}: Run was called while another Run on the same session is in progress; an EdgeSession runs one inference at a time — create one session per thread")
    {
    }
}
