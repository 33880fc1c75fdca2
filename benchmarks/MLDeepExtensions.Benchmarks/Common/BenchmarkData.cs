using System;
using System.Linq;
using Microsoft.ML;
using MLDeepExtensions.Samples;
using static TorchSharp.torch;

namespace MLDeepExtensions.Benchmarks;

/// <summary>
/// Fashion-MNIST in every form the benchmarks need: IDataViews for our estimator (made once, read anew by every
/// fit) and the same pixels as tensors for the bare TorchSharp loop. Owns the tensors.
/// </summary>
internal sealed class BenchmarkData : IDisposable
{
    private BenchmarkData(MLContext mlContext, FashionImage[] train, FashionImage[] test, string source)
    {
        MLContext = mlContext;
        Source = source;
        TrainImages = train;
        TestImages = test;
        RawTrain = mlContext.Data.LoadFromEnumerable(train);
        RawTest = mlContext.Data.LoadFromEnumerable(test);
        KeyedTrain = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(RawTrain).Transform(RawTrain);
        (TrainFeatures, TrainLabels) = ToTensors(train);
        TestFeatures = ToTensor(test);
    }

    public MLContext MLContext { get; }

    /// <summary>Which data set was loaded and how many images it has.</summary>
    public string Source { get; }

    public int TrainCount => TrainImages.Length;

    public FashionImage[] TrainImages { get; }

    public FashionImage[] TestImages { get; }

    /// <summary>Training images with a string label, as loaded.</summary>
    public IDataView RawTrain { get; }

    /// <summary>Test images with a string label, as loaded.</summary>
    public IDataView RawTest { get; }

    /// <summary>Training images with the label mapped to a key (a lazy view: every fit reads it through the mapping).</summary>
    public IDataView KeyedTrain { get; }

    /// <summary>Training pixels, [rows, 784] Float32.</summary>
    public Tensor TrainFeatures { get; }

    /// <summary>Training class indices, [rows] Int64.</summary>
    public Tensor TrainLabels { get; }

    /// <summary>Test pixels, [rows, 784] Float32.</summary>
    public Tensor TestFeatures { get; }

    public static BenchmarkData Load(bool subsetOnly)
    {
        var (train, test, source) = FashionMnist.Load(subsetOnly);
        return new BenchmarkData(new MLContext(seed: 1), train, test, source);
    }

    /// <summary>What a hand-written program does before its loop: pixels [rows, 784] and class indices [rows] as tensors.</summary>
    public static (Tensor Features, Tensor Labels) ToTensors(FashionImage[] images)
        => (ToTensor(images), tensor(images.Select(image => (long)Array.IndexOf(FashionMnist.ClassNames, image.Label)).ToArray()));

    private static Tensor ToTensor(FashionImage[] images)
    {
        var pixels = new float[(long)images.Length * FashionMnist.PixelCount];
        for (int i = 0; i < images.Length; i++)
            images[i].Pixels.CopyTo(pixels, (long)i * FashionMnist.PixelCount);
        return tensor(pixels, new long[] { images.Length, FashionMnist.PixelCount });
    }

    public void Dispose()
    {
        TrainFeatures.Dispose();
        TrainLabels.Dispose();
        TestFeatures.Dispose();
    }
}
