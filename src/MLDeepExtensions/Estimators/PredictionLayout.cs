using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Estimators;

/// <summary>
/// The output columns of a supervised network (types and ML.NET scorer annotations, so the evaluators accept them)
/// and the getters that turn one row of network output into their values.
/// </summary>
internal sealed class PredictionLayout : OutputLayout
{
    private readonly TaskInfo _task;

    public PredictionLayout(TaskInfo task, OutputColumnNames names, DataViewSchema inputSchema)
    {
        _task = task;
        Columns = CreateColumns(task, names, NextScoreSetId(inputSchema));
    }

    public override DataViewSchema.DetachedColumn[] Columns { get; }

    public override Delegate CreateGetter(int index, CurrentOutput current)
    {
        switch (_task.Task)
        {
            case DeepNetworkTask.MulticlassClassification when index == 0:
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => CopyVector(current(), ref dst));
            case DeepNetworkTask.MulticlassClassification:
                return (ValueGetter<uint>)((ref uint dst) => dst = ArgMaxKey(current()));
            case DeepNetworkTask.BinaryClassification when index == 0:
                return (ValueGetter<float>)((ref float dst) => dst = current()[0]);
            case DeepNetworkTask.BinaryClassification when index == 1:
                return (ValueGetter<float>)((ref float dst) => dst = 1f / (1f + MathF.Exp(-current()[0])));
            case DeepNetworkTask.BinaryClassification:
                return (ValueGetter<bool>)((ref bool dst) => dst = current()[0] > 0);
            default:
                return _task.VectorLabel
                    ? (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) => CopyVector(current(), ref dst))
                    : (ValueGetter<float>)((ref float dst) => dst = current()[0]);
        }
    }

    /// <summary>The 1-based key of the most probable class (0, ML.NET's missing key, when the output is NaN).</summary>
    private static uint ArgMaxKey(ReadOnlySpan<float> probabilities)
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] > bestValue)
            {
                bestValue = probabilities[i];
                best = i;
            }
        }
        return (uint)(best + 1);
    }

    private static DataViewSchema.DetachedColumn[] CreateColumns(TaskInfo task, OutputColumnNames names, uint setId)
    {
        switch (task.Task)
        {
            case DeepNetworkTask.MulticlassClassification:
                var scoreAnnotations = ScorerAnnotations(AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification, AnnotationUtils.Const.ScoreValueKind.Score, setId);
                var predictedAnnotations = ScorerAnnotations(AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification, AnnotationUtils.Const.ScoreValueKind.PredictedLabel, setId);
                if (task.KeyValues is { } keyValues)
                {
                    var keyValuesColumn = keyValues.Schema[AnnotationUtils.Kinds.KeyValues];
                    predictedAnnotations.Add(keyValues, _ => true);
                    scoreAnnotations.Add(AnnotationUtils.Kinds.TrainingLabelValues, keyValuesColumn.Type, GetRawGetter(keyValues, keyValuesColumn));
                    if (keyValuesColumn.Type is VectorDataViewType { ItemType: TextDataViewType })
                        scoreAnnotations.Add(AnnotationUtils.Kinds.SlotNames, keyValuesColumn.Type, GetRawGetter(keyValues, keyValuesColumn));
                }
                return new[]
                {
                    new DataViewSchema.DetachedColumn(names.Score, new VectorDataViewType(NumberDataViewType.Single, task.OutputSize), scoreAnnotations.ToAnnotations()),
                    new DataViewSchema.DetachedColumn(names.PredictedLabel, new KeyDataViewType(typeof(uint), task.OutputSize), predictedAnnotations.ToAnnotations()),
                };
            case DeepNetworkTask.BinaryClassification:
                const string binary = AnnotationUtils.Const.ScoreColumnKind.BinaryClassification;
                var probability = ScorerAnnotations(binary, AnnotationUtils.Const.ScoreValueKind.Probability, setId);
                probability.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ValueGetter<bool>)((ref bool dst) => dst = true));
                return new[]
                {
                    new DataViewSchema.DetachedColumn(names.Score, NumberDataViewType.Single, ScorerAnnotations(binary, AnnotationUtils.Const.ScoreValueKind.Score, setId).ToAnnotations()),
                    new DataViewSchema.DetachedColumn(names.Probability, NumberDataViewType.Single, probability.ToAnnotations()),
                    new DataViewSchema.DetachedColumn(names.PredictedLabel, BooleanDataViewType.Instance, ScorerAnnotations(binary, AnnotationUtils.Const.ScoreValueKind.PredictedLabel, setId).ToAnnotations()),
                };
            default:
                DataViewType scoreType = task.VectorLabel ? new VectorDataViewType(NumberDataViewType.Single, task.OutputSize) : NumberDataViewType.Single;
                string kind = task.VectorLabel ? AnnotationUtils.Const.ScoreColumnKind.MultiOutputRegression : AnnotationUtils.Const.ScoreColumnKind.Regression;
                return new[] { new DataViewSchema.DetachedColumn(names.Score, scoreType, ScorerAnnotations(kind, AnnotationUtils.Const.ScoreValueKind.Score, setId).ToAnnotations()) };
        }
    }

    private static Delegate GetRawGetter(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
    {
        var itemType = ((VectorDataViewType)column.Type).ItemType.RawType;
        var method = typeof(PredictionLayout).GetMethod(nameof(VectorGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return (Delegate)method.MakeGenericMethod(itemType).Invoke(null, new object[] { annotations, column })!;
    }

    private static ValueGetter<VBuffer<T>> VectorGetter<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
        => annotations.GetGetter<VBuffer<T>>(column);
}
