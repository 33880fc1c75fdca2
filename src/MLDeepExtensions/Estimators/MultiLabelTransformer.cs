using MLDeepExtensions.Model;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Persistence;

[assembly: LoadableClass(typeof(MultiLabelTransformer), null, typeof(SignatureLoadModel),
    "Deep Multi-Label Transformer", MultiLabelTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>A trained multi-label classifier inside an ML.NET pipeline. <c>mlContext.Model.Load</c> brings a saved one back in any process.</summary>
public sealed class MultiLabelTransformer : NetworkTransformerBase
{
    internal const string LoaderSignature = "DeepMultiLabel";

    private static readonly VersionInfo _versionInfo = ModelFormat.VersionInfo("DEEPMLBL", LoaderSignature);

    internal MultiLabelTransformer(IHostEnvironment env, NetworkModel model)
        : base(env, model, _versionInfo)
    {
    }

    /// <summary>The name of the label column the network was trained on.</summary>
    public string LabelColumnName => Head.LabelColumnName;

    /// <summary>Labels per row (the size of the label vector and of each output).</summary>
    public int LabelCount => Head.LabelCount;

    /// <summary>The labels' names (the label column's slot names), or null when it had none.</summary>
    public IReadOnlyList<string>? LabelNames => Head.LabelNames;

    /// <summary>Each label's probability threshold for PredictedLabel: 0.5, or tuned on validation data (<see cref="MultiLabelOptions.TuneThresholds"/>).</summary>
    public IReadOnlyList<float> Thresholds => Head.Thresholds;

    private MultiLabelHead Head => (MultiLabelHead)Network.Head;

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static MultiLabelTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(env, ModelFormat.Load(env, ctx, _versionInfo, MultiLabelHead.RegisteredName));
}
