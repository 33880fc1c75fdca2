using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;
using TorchSharp.Modules;

namespace MLDeepExtensions.Tests.Estimators;

[TestClass]
public sealed class NetworkSummaryTests
{
    [ClassInitialize]
    public static void RegisterModules(TestContext _) => ExampleModules.Register();

    public static IEnumerable<object[]> Cases => ConformanceCase.Names.Where(n => !n.StartsWith("control-", StringComparison.Ordinal)).Select(n => new object[] { n });

    /// <summary>The case's estimator with its first layer frozen, and its summary of the network before training.</summary>
    private static (IEstimator<NetworkTransformerBase> Estimator, NetworkSummary Summary) FrozenFirst(ConformanceCase c) => c.Estimator switch
    {
        DeepNetworkEstimator d => Pair(new DeepNetworkEstimator(c.Ml, d.Options with { FrozenLayers = LayerSelection.First(1) }), c.Data),
        AutoencoderEstimator a => Pair(new AutoencoderEstimator(c.Ml, a.Options with { FrozenLayers = LayerSelection.First(1) }), c.Data),
        ForecastingEstimator f => Pair(new ForecastingEstimator(c.Ml, f.Options with { FrozenLayers = LayerSelection.First(1) }), c.Data),
        MultiLabelEstimator m => Pair(c.Ml.MultiLabelClassification.Trainers.DeepNetwork(m.Options with { FrozenLayers = LayerSelection.First(1) }), c.Data),
        _ => throw new ArgumentException($"not a network estimator: {c.Estimator.GetType().Name}"),
    };

    private static (IEstimator<NetworkTransformerBase>, NetworkSummary) Pair<T>(NetworkEstimatorBase<T> estimator, IDataView data) where T : NetworkTransformerBase
        => (estimator, estimator.Summary(data));

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Summary_OfEveryArchitecture_MatchesTheFittedNetwork_AndShowsFrozenLayers(string name)
    {
        var c = ConformanceCase.Create(name);
        var (estimator, before) = FrozenFirst(c);
        using var model = estimator.Fit(c.Data);
        var summary = model.Summary();

        Assert.AreEqual(model.ParameterCount, summary.ParameterCount, "total = the transformer's ParameterCount");
        Assert.AreEqual(summary.Layers.Sum(l => l.ParameterCount), summary.ParameterCount, "total = sum over rows");
        CollectionAssert.AreEqual(model.LayerNames.ToArray(), summary.Layers.Where(l => l.ParameterCount > 0).Select(l => l.Name).ToArray(), "rows with weights = LayerNames");
        var weighted = summary.Layers.Where(l => l.ParameterCount > 0).ToList();
        Assert.IsTrue(weighted[0].Frozen, $"{weighted[0].Name} was frozen");
        Assert.IsTrue(weighted.Skip(1).All(l => !l.Frozen), "only the first layer was frozen");
        Assert.AreEqual(weighted[0].ParameterCount, summary.FrozenParameterCount);
        Assert.IsTrue(summary.Layers.Where(l => l.ParameterCount == 0).All(l => !l.Frozen));

        // Every layer that runs as a module call has a shape. Not measured: recurrent layers over packed sequences, and the
        // layers the custom module calls with forward(x) itself (those its Sequential blocks run are measured), and a
        // Transformer's class token and position table, which are added, not called.
        bool packed = name is "rnn-variable" or "rnn-tokens";
        var measured = summary.Layers.Where(l => !(packed && l.Type is nameof(LSTM) or nameof(GRU) or nameof(RNN)))
            .Where(l => name != "custom-module" || l.Name.StartsWith("blocks.", StringComparison.Ordinal))
            .Where(l => !(name.Contains("transformer", StringComparison.Ordinal) && (l.Name.EndsWith("class_token", StringComparison.Ordinal) || l.Name.EndsWith("positions", StringComparison.Ordinal)))).ToList();
        Assert.IsTrue(measured.Count >= 1);
        foreach (var layer in measured)
            Assert.IsNotNull(layer.OutputShape, $"{name}: no shape for {layer.Name} ({layer.Type})");
        Assert.IsTrue(summary.OutputShape.Count > 0 && summary.OutputShape.All(d => d > 0));
        Assert.AreEqual(model.InputSize, summary.InputSize);
        Assert.AreEqual(model.FeatureColumnName, summary.InputColumns[0]);
        Assert.IsTrue(summary.OutputColumns.Count > 0);

        // The estimator's summary (no data trained) describes the same network.
        Assert.AreEqual(summary.ToString(), before.ToString(), "estimator and transformer summaries agree");

        string text = model.ToString();
        foreach (var layer in summary.Layers)
            StringAssert.Contains(text, layer.Name);
        StringAssert.Contains(text, summary.ParameterCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public void Summary_Mlp_RendersAnAlignedTable_WithShapesCountsAndColumns()
    {
        var c = ConformanceCase.Create("mlp-multiclass");
        var summary = ((DeepNetworkEstimator)c.Estimator).Summary(c.Data.Schema);
        var hidden = summary.Layers.Single(l => l.Name == "layers.hidden0");
        Assert.AreEqual("Linear", hidden.Type);
        Assert.AreEqual(1L, hidden.OutputShape!.Count);
        Assert.AreEqual(summary.InputSize * hidden.OutputShape[0] + hidden.OutputShape[0], hidden.ParameterCount);
        Assert.AreEqual("Label", summary.LabelColumn);
        CollectionAssert.Contains(summary.OutputColumns.ToArray(), "PredictedLabel");
        var lines = summary.ToString().Split(Environment.NewLine);
        var table = lines.Where(l => l.StartsWith("layers.", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(summary.Layers.Count(l => l.Name.StartsWith("layers.", StringComparison.Ordinal)), table.Count);
        int shapeColumn = lines.Single(l => l.StartsWith("Layer ", StringComparison.Ordinal)).IndexOf("Output shape", StringComparison.Ordinal);
        Assert.IsTrue(table.All(l => l.IndexOf("(batch", StringComparison.Ordinal) == shapeColumn), "shapes start in one column:\n" + summary);
    }

    [TestMethod]
    public void Summary_VariableLengthSequencesFromASchema_AsksForTheData()
    {
        var c = ConformanceCase.Create("rnn-variable");
        var estimator = (DeepNetworkEstimator)c.Estimator;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Summary(c.Data.Schema));
        StringAssert.Contains(error.Message, "MaxSteps");
        Assert.IsTrue(estimator.Summary(c.Data).InputSize > 1);
    }

    [TestMethod]
    public void Summary_FrozenLayersNamingNoLayer_ThrowsAsTheFitWould()
    {
        var c = ConformanceCase.Create("mlp-regression");
        var estimator = new DeepNetworkEstimator(c.Ml, ((DeepNetworkEstimator)c.Estimator).Options with { FrozenLayers = LayerSelection.Named("nothing") });
        Assert.ThrowsExactly<ArgumentException>(() => estimator.Summary(c.Data.Schema));
    }
}
