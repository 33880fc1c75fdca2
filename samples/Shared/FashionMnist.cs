using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One Fashion-MNIST image: 28×28 grey pixels scaled to [0, 1] and its class name.</summary>
public sealed class FashionImage
{
    /// <summary>The class name, e.g. "Sneaker".</summary>
    public string Label { get; set; } = "";

    /// <summary>784 pixel values, row by row, in [0, 1].</summary>
    [VectorType(FashionMnist.PixelCount)]
    public float[] Pixels { get; set; } = Array.Empty<float>();
}

/// <summary>
/// Reads Fashion-MNIST (Zalando Research, MIT license) from its IDX files: the full 60k/10k set where the
/// Debian package dataset-fashion-mnist installed it, else the 3k/1k subset kept in this repository.
/// </summary>
public static class FashionMnist
{
    /// <summary>Pixels per image.</summary>
    public const int PixelCount = 28 * 28;

    /// <summary>Where the Debian package dataset-fashion-mnist installs the full data set.</summary>
    public const string InstalledDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The folder of the repository's subset, copied next to each program that uses it.</summary>
    public const string SubsetFolderName = "fashion-mnist-subset";

    /// <summary>The class names in label order.</summary>
    public static readonly string[] ClassNames =
        { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    /// <summary>Loads the training and test sets, the full set when installed unless <paramref name="subsetOnly"/>.</summary>
    /// <param name="subsetOnly">Use the repository's subset even when the full set is installed.</param>
    /// <param name="maxTrain">Keep at most this many training images (first ones).</param>
    /// <param name="maxTest">Keep at most this many test images (first ones).</param>
    public static (FashionImage[] Train, FashionImage[] Test, string Source) Load(bool subsetOnly = false, int maxTrain = int.MaxValue, int maxTest = int.MaxValue)
    {
        string directory = !subsetOnly && File.Exists(Path.Combine(InstalledDirectory, "train-images-idx3-ubyte.gz"))
            ? InstalledDirectory
            : FindSubset();
        var train = Read(directory, "train", maxTrain);
        var test = Read(directory, "t10k", maxTest);
        string source = directory == InstalledDirectory ? "full Fashion-MNIST" : "Fashion-MNIST subset";
        return (train, test, $"{source} ({train.Length} train / {test.Length} test images)");
    }

    private static string FindSubset()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(dir.FullName, SubsetFolderName), Path.Combine(dir.FullName, "data", SubsetFolderName) })
            {
                if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz")))
                    return candidate;
            }
        }
        throw new FileNotFoundException($"Could not find the '{SubsetFolderName}' folder next to the program or in a parent's data/ folder, " +
            $"nor the full data set in {InstalledDirectory} (apt-get install dataset-fashion-mnist).");
    }

    private static FashionImage[] Read(string directory, string split, int max)
    {
        byte[] labels = ReadIdx(Path.Combine(directory, $"{split}-labels-idx1-ubyte.gz"), 2049, 8);
        byte[] pixels = ReadIdx(Path.Combine(directory, $"{split}-images-idx3-ubyte.gz"), 2051, 16);
        int count = Math.Min(labels.Length, max);
        if (pixels.Length < (long)count * PixelCount)
            throw new InvalidDataException($"{split} images file in {directory} is shorter than its {labels.Length} labels.");
        return Enumerable.Range(0, count).Select(i => new FashionImage
        {
            Label = ClassNames[labels[i]],
            Pixels = pixels.AsSpan(i * PixelCount, PixelCount).ToArray().Select(b => b / 255f).ToArray(),
        }).ToArray();
    }

    /// <summary>Reads a gzip IDX file, checks its magic number and returns the bytes after the header.</summary>
    private static byte[] ReadIdx(string path, int magic, int headerSize)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] all = memory.ToArray();
        int found = (all[0] << 24) | (all[1] << 16) | (all[2] << 8) | all[3];
        if (found != magic)
            throw new InvalidDataException($"{path} is not an IDX file of the expected kind (magic {found}, expected {magic}).");
        return all.AsSpan(headerSize).ToArray();
    }
}
