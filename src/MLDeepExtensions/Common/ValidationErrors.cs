using System;
using System.Collections.Generic;
using System.Globalization;

namespace MLDeepExtensions;

/// <summary>
/// Collects one message per invalid setting (naming the setting, the value seen and the fix), so that options report
/// every problem at once. Messages are formatted with the invariant culture: numbers read the same on every machine.
/// </summary>
internal sealed class ValidationErrors
{
    private readonly List<string> _messages = new();

    public int Count => _messages.Count;

    public IReadOnlyList<string> Messages => _messages;

    public void Add(FormattableString message) => _messages.Add(message.ToString(CultureInfo.InvariantCulture));

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem of <paramref name="subject"/>, if there are any.</summary>
    public void ThrowIfAny(string subject)
    {
        if (_messages.Count == 0)
            return;
        string count = _messages.Count.ToString(CultureInfo.InvariantCulture);
        throw new ArgumentException($"Invalid {subject} ({count} problem{(_messages.Count == 1 ? "" : "s")}):" + Environment.NewLine + "  - " +
            string.Join(Environment.NewLine + "  - ", _messages));
    }
}
