using static System.FormattableString;

namespace MLDeepExtensions.Data;

/// <summary>The three forms a recurrent network's input can take.</summary>
internal enum SequenceInputKind
{
    Fixed = 0,
    Variable,
    Tokens,
}

/// <summary>
/// A resolved sequence input: Steps (fixed steps, or the maximum kept), Features per step (for tokens: the embedding
/// size) and Vocabulary (tokens only: the key count).
/// </summary>
internal sealed record SequenceInput(SequenceInputKind Kind, int Steps, int Features, int Vocabulary)
{
    public static SequenceInput Fixed(int steps, int features) => new(SequenceInputKind.Fixed, steps, features, 0);

    public static SequenceInput Variable(int features, int maxSteps) => new(SequenceInputKind.Variable, maxSteps, features, 0);

    public static SequenceInput Tokens(int vocabulary, int maxSteps, int embedding) => new(SequenceInputKind.Tokens, maxSteps, embedding, vocabulary);

    /// <summary>Tokens: the key for a missing key (a word MapValueToKey did not know), one past the vocabulary's keys 1…V.</summary>
    public int UnknownToken => Vocabulary + 1;

    /// <summary>Tokens: rows of the embedding table: 0 (padding), the keys 1…V and <see cref="UnknownToken"/>.</summary>
    public int EmbeddingRows => Vocabulary + 2;

    /// <summary>Floats per encoded row: the values, plus a leading length for variable-length forms.</summary>
    public int Width => Kind switch
    {
        SequenceInputKind.Fixed => Steps * Features,
        SequenceInputKind.Variable => 1 + Steps * Features,
        _ => 1 + Steps,
    };

    public override string ToString() => Kind switch
    {
        SequenceInputKind.Fixed => Invariant($"{Steps}×{Features} steps"),
        SequenceInputKind.Variable => Invariant($"up to {Steps} steps of {Features}"),
        _ => Invariant($"up to {Steps} tokens of {Vocabulary}, embedding {Features}"),
    };
}
