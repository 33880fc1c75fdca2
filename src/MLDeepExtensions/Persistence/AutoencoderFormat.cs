using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Architectures;
using MLDeepExtensions.Estimators;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// What an <see cref="AutoencoderTransformer"/> writes into an ML.NET model zip, and reads back.
/// </summary>
/// <remarks>
/// Layout, version 0x00010001: model stream — strings feature, embedding, reconstruction, score and
/// predicted-label column names; int input size; int scoring batch size; bool has threshold, then the threshold
/// (double). Then the binary streams "Network" and "History" (see <see cref="NetworkStreams"/>).
/// </remarks>
internal static class AutoencoderFormat
{
    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "DEEPAUTO",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: AutoencoderTransformer.LoaderSignature,
        loaderAssemblyName: typeof(AutoencoderTransformer).Assembly.FullName);

    public static void Save(ModelSaveContext ctx, AutoencoderModel model)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveNonEmptyString(model.FeatureColumnName);
        ctx.SaveNonEmptyString(model.Names.Embedding);
        ctx.SaveNonEmptyString(model.Names.Reconstruction);
        ctx.SaveNonEmptyString(model.Names.Score);
        ctx.SaveNonEmptyString(model.Names.PredictedLabel);
        ctx.Writer.Write(model.InputSize);
        ctx.Writer.Write(model.ScoringBatchSize);
        ctx.Writer.Write(model.Threshold is not null);
        ctx.Writer.Write(model.Threshold ?? 0);
        NetworkStreams.Save(ctx, model.Architecture, model.Module, model.History);
    }

    public static AutoencoderModel Load(IHostEnvironment env, ModelLoadContext ctx) => NetworkStreams.Guard(() =>
    {
        NetworkStreams.CheckAtModel(ctx, GetVersionInfo());
        string feature = ctx.LoadNonEmptyString();
        var names = new AutoencoderColumnNames(ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString(), ctx.LoadNonEmptyString());
        int inputSize = ctx.Reader.ReadInt32();
        int scoringBatchSize = ctx.Reader.ReadInt32();
        bool hasThreshold = ctx.Reader.ReadBoolean();
        double threshold = ctx.Reader.ReadDouble();
        if (inputSize < 1 || scoringBatchSize < 1 || !double.IsFinite(threshold))
            throw NetworkStreams.Corrupt($"input size {inputSize}, scoring batch size {scoringBatchSize}, threshold {threshold}.");
        var network = NetworkStreams.Load(env, ctx, inputSize, inputSize);
        if (network.Architecture is not AutoencoderArchitecture architecture || network.Module is not AutoencoderModule module)
        {
            network.Module.Dispose();
            throw NetworkStreams.Corrupt($"an autoencoder model holds a {network.Architecture.GetType().Name}.");
        }
        return new AutoencoderModel(module, architecture, inputSize, feature, names, hasThreshold ? threshold : null, scoringBatchSize, network.History, network.Device);
    });
}
