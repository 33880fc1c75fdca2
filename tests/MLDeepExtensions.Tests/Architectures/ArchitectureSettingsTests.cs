using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.ModelRunner;
using MLDeepExtensions.Tests.Estimators;

namespace MLDeepExtensions.Tests.Architectures;

/// <summary>
/// An architecture's settings are what a model file promises to give back: for randomised settings of every registered
/// architecture, resolved for a feature column as a fit resolves them, save → load gives an equal record; and a model
/// loaded from a zip continues its fit with the options that trained it, for every architecture.
/// </summary>
[TestClass]
public sealed class ArchitectureSettingsTests
{
    [ClassInitialize]
    public static void RegisterModules(TestContext _) => ExampleModules.Register();

    private static readonly DataViewSchema Columns = BuildColumns();

    private static DataViewSchema BuildColumns()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Image", new VectorDataViewType(NumberDataViewType.Single, 8, 8, 8));
        builder.AddColumn("Flat", new VectorDataViewType(NumberDataViewType.Single, 24));
        builder.AddColumn("Variable", new VectorDataViewType(NumberDataViewType.Single));
        builder.AddColumn("Tokens", new VectorDataViewType(new KeyDataViewType(typeof(uint), 40)));
        return builder.ToSchema();
    }

    /// <summary>One randomised, valid architecture of the registered name <paramref name="name"/>, and the column to resolve it for.</summary>
    private static (NetworkArchitecture Architecture, string Column) RandomArchitecture(string name, Random random)
    {
        T Pick<T>(params T[] items) => items[random.Next(items.Length)];
        int[] Sizes(int most) => Enumerable.Range(0, random.Next(most + 1)).Select(_ => random.Next(1, 20)).ToArray();
        float Rate() => Pick(0f, 0.1f, 0.25f, 0.5f);
        var activation = Pick(Enum.GetValues<Activation>());
        ConvolutionBlock Block() => new(random.Next(1, 9))
        {
            KernelSize = Pick(1, 3), Activation = Pick(Enum.GetValues<Activation>()), BatchNormalization = random.Next(2) == 0,
            Pooling = Pick(PoolingKind.None, PoolingKind.Max, PoolingKind.Average), Dropout = Rate(), Padding = Pick<int?>(null, 1),
        };
        var categorical = random.Next(2) == 0 ? Array.Empty<CategoricalInput>() : new[] { new CategoricalInput("Colour", random.Next(1, 9), random.Next(1, 5)) };
        switch (name)
        {
            case MlpArchitecture.RegisteredName:
                return (new MlpArchitecture(Sizes(3))
                {
                    Activation = activation, Dropout = Rate(), BatchNormalization = random.Next(2) == 0, StandardizeInputs = random.Next(2) == 0,
                    Categorical = categorical,
                }, "Flat");
            case CnnArchitecture.RegisteredName:
                return (new CnnArchitecture
                {
                    PixelLayout = Pick(Enum.GetValues<PixelLayout>()), ConvolutionBlocks = new[] { Block(), Block() }, HiddenLayers = Sizes(2),
                    Activation = activation, Dropout = Rate(), Augmentation = Pick<ImageAugmentation?>(null, new ImageAugmentation { HorizontalFlip = true, MaxShift = 1 }),
                }, "Image");
            case ResidualCnnArchitecture.RegisteredName:
                return (new ResidualCnnArchitecture
                {
                    PixelLayout = Pick(Enum.GetValues<PixelLayout>()), StemChannels = random.Next(1, 9), Stages = Sizes(3) is { Length: > 0 } stages ? stages : [4],
                    BlocksPerStage = random.Next(1, 4), HiddenLayers = Sizes(2), Activation = activation, Dropout = Rate(),
                    Augmentation = Pick<ImageAugmentation?>(null, new ImageAugmentation { HorizontalFlip = true, MaxShift = 2 }),
                }, "Image");
            case RnnArchitecture.RegisteredName:
                var rnn = new RnnArchitecture
                {
                    Cell = Pick(Enum.GetValues<RecurrentCell>()), HiddenSize = random.Next(1, 30), RecurrentLayers = random.Next(1, 4), Bidirectional = random.Next(2) == 0,
                    RecurrentDropout = Rate(), Pooling = Pick(SequencePooling.Last, SequencePooling.Mean, SequencePooling.Max), HiddenLayers = Sizes(2), Activation = activation, Dropout = Rate(),
                };
                return Pick(
                    (rnn with { InputShape = Pick<SequenceShape?>(null, new SequenceShape(6, 4), new SequenceShape(12, 2)) }, "Flat"),
                    (rnn with { FeaturesPerStep = Pick(1, 2, 4), MaxSteps = Pick<int?>(null, 3, 50) }, "Variable"),
                    (rnn with { EmbeddingSize = random.Next(1, 12), MaxSteps = Pick<int?>(null, 7) }, "Tokens"));
            case TransformerArchitecture.RegisteredName:
                int heads = random.Next(1, 4);
                var transformer = new TransformerArchitecture
                {
                    ModelSize = heads * random.Next(1, 6), Heads = heads, EncoderLayers = random.Next(1, 4), FeedForwardSize = random.Next(1, 20),
                    EncoderDropout = Rate(), Positions = Pick(Enum.GetValues<PositionEncoding>()), Pooling = Pick(Enum.GetValues<SequencePooling>()),
                    HiddenLayers = Sizes(2), Activation = activation, Dropout = Rate(),
                };
                return Pick(
                    (transformer with { InputShape = Pick<SequenceShape?>(null, new SequenceShape(6, 4), new SequenceShape(12, 2)) }, "Flat"),
                    (transformer with { FeaturesPerStep = Pick(1, 2, 4), MaxSteps = Pick<int?>(null, 3, 50) }, "Variable"),
                    (transformer with { MaxSteps = Pick<int?>(null, 7) }, "Tokens"));
            case FtTransformerArchitecture.RegisteredName:
                int ftHeads = random.Next(1, 4), modelSize = ftHeads * random.Next(1, 6);
                return (new FtTransformerArchitecture
                {
                    ModelSize = modelSize, Heads = ftHeads, EncoderLayers = random.Next(1, 4), FeedForwardSize = Pick<int?>(null, random.Next(1, 20)),
                    EncoderDropout = Rate(), HiddenLayers = Sizes(2), Activation = activation, Dropout = Rate(), StandardizeInputs = random.Next(2) == 0,
                    Categorical = categorical.Select(c => c with { EmbeddingSize = modelSize }).ToArray(),
                }, "Flat");
            case AutoencoderArchitecture.DenseName:
                return (new AutoencoderArchitecture(random.Next(1, 8), Sizes(2))
                {
                    Activation = activation, DenoisingNoise = Pick(0f, 0.1f), InputDropout = Rate(),
                }, "Flat");
            case AutoencoderArchitecture.ConvolutionalName:
                return (AutoencoderArchitecture.Convolutional(null, random.Next(1, 8), Sizes(2)) with
                {
                    ConvolutionBlocks = new[] { Block() with { Pooling = PoolingKind.Max, Padding = null, KernelSize = 3 } },
                    Activation = activation, DenoisingNoise = Pick(0f, 0.1f), InputDropout = Rate(),
                }, "Image");
            case CustomArchitecture.RegisteredName:
                return (new CustomArchitecture(ExampleModules.ResidualMlpName) { Categorical = categorical }, "Flat");
            case AutoencoderArchitecture.CustomName:
                return (AutoencoderArchitecture.Custom(ExampleModules.AutoencoderName, random.Next(1, 8)), "Flat");
            case ForecastArchitecture.RegisteredName:
                var (inner, _) = RandomArchitecture(Pick(MlpArchitecture.RegisteredName, RnnArchitecture.RegisteredName, TransformerArchitecture.RegisteredName, CustomArchitecture.RegisteredName), random);
                if (inner is RnnArchitecture recurrent)
                    inner = recurrent with { InputShape = null, FeaturesPerStep = 1, MaxSteps = null, EmbeddingSize = 32 };
                if (inner is TransformerArchitecture attention)
                    inner = attention with { InputShape = null, FeaturesPerStep = 1, MaxSteps = null };
                return (new ForecastArchitecture(inner with { Categorical = Array.Empty<CategoricalInput>() }, Pick(Enum.GetValues<SeriesScaling>()), Pick(0, 4, 12), Pick(1, 3)), "Flat");
            default:
                throw new AssertFailedException($"No settings generator for the registered architecture '{name}': add one here.");
        }
    }

    [TestMethod]
    public void RandomisedSettings_OfEveryRegisteredArchitecture_SurviveSaveAndLoadEqual()
    {
        var random = new Random(20261206);
        Assert.IsGreaterThanOrEqualTo(9, ArchitectureRegistry.Names.Count, "the built-in architectures are registered");
        foreach (string name in ArchitectureRegistry.Names)
        {
            for (int trial = 0; trial < 40; trial++)
            {
                var (architecture, column) = RandomArchitecture(name, random);
                var resolved = architecture.ResolveFor(Columns[column], () => 37);
                var errors = new ValidationErrors();
                resolved.Validate(errors);
                Assert.AreEqual(0, errors.Count, $"{name} trial {trial}: the generator made invalid settings: {string.Join(" ", errors.Messages)}");

                using var stream = new MemoryStream();
                using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                    ArchitectureRegistry.Write(writer, resolved);
                stream.Position = 0;
                using var reader = new BinaryReader(stream);
                var read = ArchitectureRegistry.Read(reader, versioned: true);
                Assert.AreEqual(stream.Length, stream.Position, $"{name} trial {trial}: the reader reads what the writer wrote");
                var differences = SettingDifferences.Between(resolved, read);
                Assert.IsEmpty(differences, $"{name} trial {trial} ({resolved}): {string.Join("; ", differences)}");
                Assert.AreEqual(resolved, read, $"{name} trial {trial}");
            }
        }
    }

    [TestMethod]
    public void SettingDifferences_NameEachSettingWithBothValues()
    {
        var was = new RnnArchitecture { HiddenSize = 8, HiddenLayers = new[] { 4 } };
        var now = was with { HiddenSize = 16, Pooling = SequencePooling.Max };
        CollectionAssert.AreEqual(new[] { "HiddenSize: 8 → 16", "Pooling: Last → Max" }, SettingDifferences.Between(was, now).ToArray());
        CollectionAssert.AreEqual(new[] { "HiddenLayers: [4] → [4, 2]" }, SettingDifferences.Between(was, was with { HiddenLayers = new[] { 4, 2 } }).ToArray());
        Assert.IsEmpty(SettingDifferences.Between(was, was with { }));
        Assert.AreEqual("kind: RnnArchitecture → MlpArchitecture", SettingDifferences.Between(was, new MlpArchitecture()).Single());
    }

    public static IEnumerable<object[]> Networks => ConformanceCase.Names.Where(n => !n.StartsWith("control", StringComparison.Ordinal)).Select(n => new object[] { n });

    [TestMethod]
    [DynamicData(nameof(Networks))]
    public void ModelLoadedFromAZip_ContinuesWithTheOptionsThatTrainedIt(string name)
    {
        var c = ConformanceCase.Create(name);
        dynamic estimator = c.Estimator;
        using var first = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
        using var stream = new MemoryStream();
        c.Ml.Model.Save(first, c.Data.Schema, stream);
        stream.Position = 0;
        using var loaded = (NetworkTransformerBase)new MLContext(seed: 4).Model.Load(stream, out _);
        Assert.AreEqual(first.Architecture, loaded.Architecture, "the loaded model's architecture");
        using NetworkTransformerBase continued = estimator.Fit(c.Data, (dynamic)loaded);
        Assert.AreEqual(first.Architecture, continued.Architecture);
        var output = continued.Transform(c.Data);
        var last = output.Schema.Last(column => column.Type == NumberDataViewType.Single || column.Type is VectorDataViewType { ItemType: NumberDataViewType } v && v.ItemType == NumberDataViewType.Single);
        Assert.IsTrue(TestData.ReadScores(output, last.Name).All(row => row.All(float.IsFinite)), $"the continued model scores ({last.Name})");
    }

    [TestMethod]
    public void Continue_WithOtherSettings_NamesEachDifferingSettingWithBothValues()
    {
        var c = ConformanceCase.Create("lstm");
        var ml = c.Ml;
        using var first = (NetworkTransformerBase)c.Estimator.Fit(c.Data);
        var options = new DeepNetworkOptions
        {
            LabelColumnName = nameof(SixteenRow.Target), Epochs = 1, Seed = 1,
            Architecture = new RnnArchitecture { InputShape = new SequenceShape(4, 4), HiddenSize = 16, Pooling = SequencePooling.Mean },
        };
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Regression.Trainers.DeepNetwork(options).Fit(c.Data, (DeepNetworkTransformer)first));
        StringAssert.Contains(error.Message, "HiddenSize: 8 → 16");
        StringAssert.Contains(error.Message, "Pooling: Last → Mean");
        Assert.AreEqual("initialModel", error.ParamName);
    }
}
