using System;

namespace MLDeepExtensions;

/// <summary>
/// A key-typed column (one category per row, e.g. from <c>mlContext.Transforms.Conversion.MapValueToKey</c>) that an MLP
/// reads beside its numeric feature vector through an embedding: a trained vector of <see cref="EmbeddingSize"/> values
/// per key, concatenated with the (standardized) numeric features before the first hidden layer.
/// </summary>
/// <remarks>
/// The embedding has one row per key and one more, row 0, for the missing key: values MapValueToKey never saw in
/// training map to it, so unknown categories score like a missing one instead of failing.
/// </remarks>
/// <param name="Name">The column: a single Key value per row (Key&lt;UInt32&gt;, as MapValueToKey makes it).</param>
public sealed record CategoricalColumn(string Name)
{
    /// <summary>
    /// Values per key, ≥ 1. Default: null, sized by the rule min(600, round(1.6 × n^0.56)) of fastai's tabular models,
    /// where n is the number of keys + 1 (3 keys: 3; 26 keys: 10; 1,000 keys: 77).
    /// </summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>The embedding size <see cref="EmbeddingSize"/> gives, or the default rule's for <paramref name="keyCount"/> keys.</summary>
    internal int ResolveSize(int keyCount) => EmbeddingSize ?? DefaultSize(keyCount);

    /// <summary>min(600, round(1.6 × (keys + 1)^0.56)).</summary>
    internal static int DefaultSize(int keyCount) => (int)Math.Min(600, Math.Round(1.6 * Math.Pow(keyCount + 1.0, 0.56)));
}
