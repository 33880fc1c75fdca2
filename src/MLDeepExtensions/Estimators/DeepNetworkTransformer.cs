using MLDeepExtensions.Model;
using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Persistence;

[assembly: LoadableClass(typeof(DeepNetworkTransformer), null, typeof(SignatureLoadModel),
    "Deep Network Transformer", DeepNetworkTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>
/// A trained supervised network (classifier or regressor) inside an ML.NET pipeline. <c>mlContext.Model.Load</c>
/// brings a saved one back in any process, no registration needed. It is an ML.NET prediction transformer over one
/// feature column, so <c>PermutationFeatureImportance</c> works on it (for Single vector features).
/// </summary>
public sealed class DeepNetworkTransformer : NetworkTransformerBase, ISingleFeaturePredictionTransformer<DeepNetworkTransformer>,
    ISingleFeaturePredictionTransformer
{
    internal const string LoaderSignature = "DeepNetworkTransformer";

    private static readonly VersionInfo _versionInfo = ModelFormat.VersionInfo("DEEPNETW", LoaderSignature);

    internal DeepNetworkTransformer(IHostEnvironment env, NetworkModel model)
        : base(env, model, _versionInfo)
    {
    }

    /// <summary>The name of the label column the network was trained on.</summary>
    public string LabelColumnName => Head.LabelColumnName;

    /// <summary>The task the network solves.</summary>
    public DeepNetworkTask Task => Head.Task.Task;

    /// <summary>The width of the network's output layer (classes, 1, or the label vector size).</summary>
    public int OutputSize => Head.Task.OutputSize;

    /// <summary>The type of feature column the network reads (a Single vector of <see cref="NetworkTransformerBase.InputSize"/> values, a variable-length sequence, or token keys).</summary>
    public DataViewType FeatureColumnType => Encoder.ColumnType;

    /// <summary>The transformer itself: ML.NET's prediction-transformer contract asks for a model object.</summary>
    DeepNetworkTransformer IPredictionTransformer<DeepNetworkTransformer>.Model => this;

    private SupervisedHead Head => (SupervisedHead)Network.Head;

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static DeepNetworkTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(env, ModelFormat.Load(env, ctx, _versionInfo, SupervisedHead.RegisteredName));
}
