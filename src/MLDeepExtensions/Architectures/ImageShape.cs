namespace MLDeepExtensions;

/// <summary>The shape of one image: channels × height × width.</summary>
/// <param name="Channels">Colour planes: 1 for grey, 3 for RGB, 4 with alpha.</param>
/// <param name="Height">Rows of pixels.</param>
/// <param name="Width">Columns of pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image, Channels × Height × Width.</summary>
    public long Size => (long)Channels * Height * Width;

    /// <inheritdoc/>
    public override string ToString() => System.FormattableString.Invariant($"{Channels}×{Height}×{Width}");
}

/// <summary>How an image's pixel values are ordered in the feature vector.</summary>
public enum PixelLayout
{
    /// <summary>
    /// Channel by channel (all of channel 0 row by row, then channel 1, …): C×H×W. ML.NET's
    /// <c>ExtractPixels</c> writes this by default (interleavePixelColors: false); so do Fashion-MNIST and most loaders.
    /// </summary>
    Planar = 0,

    /// <summary>
    /// Pixel by pixel, each pixel's channels together (R, G, B, R, G, B, …): H×W×C. ML.NET's <c>ExtractPixels</c>
    /// writes this with interleavePixelColors: true.
    /// </summary>
    Interleaved,
}

/// <summary>How a convolution block downsamples after its activation.</summary>
public enum PoolingKind
{
    /// <summary>No pooling.</summary>
    None = 0,

    /// <summary>Maximum over each window.</summary>
    Max,

    /// <summary>Average over each window.</summary>
    Average,
}
