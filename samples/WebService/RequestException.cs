using System;

namespace MLDeepExtensions.Samples.WebService;

/// <summary>A request body that cannot be scored; answered with 400 and a problem body naming the field and row.</summary>
public sealed class RequestException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="field">The field at fault (<c>Features</c>, <c>Features[2]</c>), or null when the body as a whole is.</param>
    /// <param name="row">The row's index in an array body, or null for a single object.</param>
    /// <param name="message">What is wrong and what was expected.</param>
    public RequestException(string? field, int? row, string message)
        : base(message)
    {
        Field = field;
        Row = row;
    }

    /// <summary>The field at fault, or null when the body as a whole is.</summary>
    public string? Field { get; }

    /// <summary>The row's index in an array body, or null for a single object.</summary>
    public int? Row { get; }
}
