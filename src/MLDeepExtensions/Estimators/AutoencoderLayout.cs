using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Estimators;

/// <summary>
/// An autoencoder's output columns: Embedding (latent vector), Reconstruction, Score (reconstruction error) and, for
/// anomaly detection, PredictedLabel (error above the threshold). The scorer writes per row
/// [embedding (latent), reconstruction (input size), error (1)].
/// </summary>
internal sealed class AutoencoderLayout : OutputLayout
{
    private readonly int _latent;
    private readonly int _inputSize;
    private readonly double? _threshold;

    public AutoencoderLayout(AutoencoderColumnNames names, int latent, int inputSize, double? threshold, DataViewSchema inputSchema)
    {
        _latent = latent;
        _inputSize = inputSize;
        _threshold = threshold;
        var columns = new List<DataViewSchema.DetachedColumn>
        {
            new(names.Embedding, new VectorDataViewType(NumberDataViewType.Single, latent)),
            new(names.Reconstruction, new VectorDataViewType(NumberDataViewType.Single, inputSize)),
        };
        if (threshold is null)
        {
            columns.Add(new(names.Score, NumberDataViewType.Single));
        }
        else
        {
            const string kind = AnnotationUtils.Const.ScoreColumnKind.AnomalyDetection;
            uint setId = NextScoreSetId(inputSchema);
            columns.Add(new(names.Score, NumberDataViewType.Single, ScorerAnnotations(kind, AnnotationUtils.Const.ScoreValueKind.Score, setId).ToAnnotations()));
            columns.Add(new(names.PredictedLabel, BooleanDataViewType.Instance, ScorerAnnotations(kind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel, setId).ToAnnotations()));
        }
        Columns = columns.ToArray();
    }

    /// <summary>Values the scorer writes per row.</summary>
    public static int Width(int latent, int inputSize) => latent + inputSize + 1;

    public override DataViewSchema.DetachedColumn[] Columns { get; }

    public override Delegate CreateGetter(int index, CurrentOutput current) => index switch
    {
        0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => CopyVector(current()[.._latent], ref dst)),
        1 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => CopyVector(current().Slice(_latent, _inputSize), ref dst)),
        2 => (ValueGetter<float>)((ref float dst) => dst = current()[_latent + _inputSize]),
        _ => (ValueGetter<bool>)((ref bool dst) => dst = current()[_latent + _inputSize] > _threshold),
    };
}
