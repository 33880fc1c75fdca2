using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions.Data;
using MLDeepExtensions.Estimators;

namespace MLDeepExtensions;

/// <summary>
/// What every trained network does inside a pipeline: <c>Transform</c> scores lazily in batches, PredictionEngine
/// scores one row at a time, and <c>mlContext.Model.Save</c> stores the network in the model zip. Owns its
/// TorchSharp module: dispose it when done.
/// </summary>
public abstract class NetworkTransformerBase : ITransformer, IDisposable
{
    private protected NetworkTransformerBase(IHostEnvironment env, NetworkScorer scorer, FeatureEncoder encoder, string featureColumnName, int scoringBatchSize)
    {
        Encoder = encoder;
        ArgumentNullException.ThrowIfNull(env);
        Host = env.Register(GetType().Name);
        Scorer = scorer;
        Scorer.OwnerName = GetType().Name;
        FeatureColumnName = featureColumnName;
        ScoringBatchSize = scoringBatchSize;
    }

    /// <summary>The name of the feature column the network reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Values per network input row: the feature vector size (for variable-length sequences, one length plus the longest sequence kept).</summary>
    public int InputSize => Scorer.InputSize;

    /// <summary>Rows per forward pass in <see cref="Transform"/>.</summary>
    public int ScoringBatchSize { get; }

    private protected IHost Host { get; }

    private protected NetworkScorer Scorer { get; }

    private protected FeatureEncoder Encoder { get; }

    bool ITransformer.IsRowToRowMapper => true;

    /// <summary>The schema <see cref="Transform"/> produces from <paramref name="inputSchema"/>.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>Adds the output columns to <paramref name="input"/>; nothing is scored until a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoringDataView(input, Bind(input.Schema), ScoringBatchSize);
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(Bind(inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ThrowIfDisposed();
        SaveModel(ctx);
    }

    /// <summary>Writes the model into ML.NET's model zip.</summary>
    private protected abstract void SaveModel(ModelSaveContext ctx);

    /// <summary>The output columns for <paramref name="inputSchema"/>.</summary>
    private protected abstract OutputLayout CreateLayout(DataViewSchema inputSchema);

    private BoundScorer Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        return new BoundScorer(Scorer, Encoder, CreateLayout(inputSchema), inputSchema, FeatureColumnName);
    }

    private protected void ThrowIfDisposed()
    {
        if (Scorer.IsDisposed)
            throw new ObjectDisposedException(GetType().Name, NetworkScorer.DisposedMessage(GetType().Name));
    }

    /// <summary>Frees the network's native memory. Data views made by <see cref="Transform"/> stop working.</summary>
    public void Dispose()
    {
        Scorer.Dispose();
        GC.SuppressFinalize(this);
    }
}
