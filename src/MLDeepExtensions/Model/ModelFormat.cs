using MLDeepExtensions.Persistence;
using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Estimators;
using MLDeepExtensions.Heads;
using MLDeepExtensions.Interop;

namespace MLDeepExtensions.Model;

/// <summary>
/// What every network transformer writes into an ML.NET model zip, and reads back: one layout whatever the head.
/// </summary>
/// <remarks>
/// Layout, version 0x00020001 (raise it on any change of this layout, and keep reading the old ones): model stream —
/// string feature column; int input size; int scoring batch size; the head (its registered name, its fields' version,
/// its fields: each head documents its own, e.g. <see cref="SupervisedHead"/>, <see cref="ReconstructionHead"/>,
/// <see cref="ForecastHead"/>, <see cref="MultiLabelHead"/>; <see cref="NetworkHead.Read"/> finds the reader by name). Then
/// the binary streams "Network" (the architecture's name, its settings version and settings, then the weights),
/// "History" (see <see cref="Training.TrainingHistoryFormat"/>), "OnnxGraph" when the network exports (optional: readers
/// of 0.2.0 and before skip it), and "Checksums" (<see cref="EntryChecksums"/>). Files of version 0x00010001 (release
/// 0.1.0) are read by <see cref="ModelFormat010"/>.
/// Each transformer keeps its own model and loader signatures, so ML.NET creates the right type, and a release that
/// does not know this version reports a newer format.
/// </remarks>
internal static class ModelFormat
{
    /// <summary>The version this library writes.</summary>
    public const uint CurrentVersion = 0x00020001;

    /// <summary>The oldest version this library reads: release 0.1.0's.</summary>
    public const uint OldestVersion = ModelFormat010.Version;

    public static VersionInfo VersionInfo(string modelSignature, string loaderSignature) => new(
        modelSignature: modelSignature,
        verWrittenCur: CurrentVersion,
        verReadableCur: CurrentVersion,
        verWeCanReadBack: OldestVersion,
        loaderSignature: loaderSignature,
        loaderAssemblyName: typeof(ModelFormat).Assembly.FullName);

    public static void Save(ModelSaveContext ctx, VersionInfo version, NetworkModel model, byte[]? onnxGraph)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(version);
        ctx.SaveNonEmptyString(model.FeatureColumnName);
        ctx.Writer.Write(model.InputSize);
        ctx.Writer.Write(model.ScoringBatchSize);
        model.Head.Write(ctx);
        NetworkStreams.Save(ctx, model.Architecture, model.IsBuilt ? model.Module : null, model.IsBuilt ? null : model.NetworkEntry, model.History, Fields(model.FeatureColumnName, model.InputSize, model.ScoringBatchSize, model.Head), onnxGraph);
    }

    /// <summary>The model stream's fields as text, for the "Checksums" entry (see <see cref="EntryChecksums"/>).</summary>
    private static string Fields(string feature, int inputSize, int scoringBatchSize, NetworkHead head)
        => FormattableString.Invariant($"{feature}\n{inputSize}\n{scoringBatchSize}\n{head.Name}\n{head.ChecksummedFields()}");

    /// <summary>
    /// Reads a model whose head must be <paramref name="headName"/>; throws <see cref="System.IO.InvalidDataException"/>
    /// saying what is wrong, or <see cref="NotSupportedException"/> on an ML.NET outside the supported range.
    /// </summary>
    public static NetworkModel Load(IHostEnvironment env, ModelLoadContext ctx, VersionInfo version, string headName)
    {
        MLNetVersionGuard.EnsureSupported();
        return LoadChecked(env, ctx, version, headName);
    }

    /// <summary>Reads the model once the ML.NET version is known to be supported.</summary>
    private static NetworkModel LoadChecked(IHostEnvironment env, ModelLoadContext ctx, VersionInfo version, string headName) => NetworkStreams.Guard(() =>
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        NetworkStreams.CheckAtModel(ctx, version);
        if (ctx.Header.ModelVerWritten < CurrentVersion)
            return ModelFormat010.Load(env, ctx, headName);
        string feature = ctx.LoadNonEmptyString();
        int inputSize = ctx.Reader.ReadInt32();
        int scoringBatchSize = ctx.Reader.ReadInt32();
        if (inputSize < 1 || scoringBatchSize < 1)
            throw ModelFileErrors.Corrupt(FormattableString.Invariant($"input size {inputSize}, scoring batch size {scoringBatchSize}."));
        var head = NetworkHead.Read(env, ctx, headName, inputSize);
        return NetworkStreams.Load(env, ctx, head, inputSize, feature, scoringBatchSize, versionedSettings: true, Fields(feature, inputSize, scoringBatchSize, head));
    });
}
