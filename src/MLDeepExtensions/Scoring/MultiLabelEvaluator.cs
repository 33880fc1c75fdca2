using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions.Scoring;

/// <summary>Computes <see cref="MultiLabelMetrics"/> from scored rows with one cursor.</summary>
internal static class MultiLabelEvaluator
{
    public static MultiLabelMetrics Evaluate(IDataView data, string labelName, string probabilityName, string predictedName, string? weightName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var label = Column(data, "label", labelName);
        var probability = Column(data, "probability", probabilityName);
        var predicted = Column(data, "predicted label", predictedName);
        int labels = label.Type is VectorDataViewType { IsKnownSize: true, ItemType: var item } vector && (item == BooleanDataViewType.Instance || item == NumberDataViewType.Single)
            ? vector.Size
            : throw SchemaChecks.Mismatch("label", labelName, "a known-size vector of Boolean or Single", label.Type.ToString()!, "Evaluate the column the classifier was trained on.");
        if (probability.Type is not VectorDataViewType { Size: var probabilities, ItemType: NumberDataViewType } || probabilities != labels)
            throw SchemaChecks.Mismatch("probability", probabilityName, FormattableString.Invariant($"a vector of {labels} Single"), probability.Type.ToString()!, "Evaluate the output of a multi-label classifier.");
        if (predicted.Type is not VectorDataViewType { Size: var predictions, ItemType: BooleanDataViewType } || predictions != labels)
            throw SchemaChecks.Mismatch("predicted label", predictedName, FormattableString.Invariant($"a vector of {labels} Boolean"), predicted.Type.ToString()!, "Evaluate the output of a multi-label classifier.");
        DataViewSchema.Column? weight = weightName is null ? null : Column(data, "example weight", weightName);
        var columns = weight is { } w ? new[] { label, probability, predicted, w } : [label, probability, predicted];

        var scores = new MultiLabelScores(labels);
        var truths = new float[labels];
        var probabilityValues = new float[labels];
        var predictedValues = new bool[labels];
        using (var cursor = data.GetRowCursor(columns))
        {
            var readLabel = new MultiLabelSource(labelName, null, labels, ((VectorDataViewType)label.Type).ItemType == BooleanDataViewType.Instance).CreateReader(cursor);
            var probabilityGetter = cursor.GetGetter<VBuffer<float>>(probability);
            var predictedGetter = cursor.GetGetter<VBuffer<bool>>(predicted);
            var weightGetter = weight is { } weightColumn ? cursor.GetGetter<float>(weightColumn) : null;
            var p = default(VBuffer<float>);
            var q = default(VBuffer<bool>);
            float rowWeight = 1;
            while (cursor.MoveNext())
            {
                if (!readLabel(truths))
                    continue;
                probabilityGetter(ref p);
                predictedGetter(ref q);
                p.CopyTo(probabilityValues);
                q.CopyTo(predictedValues);
                weightGetter?.Invoke(ref rowWeight);
                if (!(rowWeight >= 0 && float.IsFinite(rowWeight)) || !FeatureEncoder.AllFinite(probabilityValues))
                    continue;
                scores.Add(probabilityValues, truths, predictedValues, rowWeight);
            }
        }
        if (scores.Rows == 0)
            throw new ArgumentException($"The data has no row with a usable label in column '{labelName}' to evaluate.", nameof(data));
        return scores.Compute(thresholds: null, MultiLabelHead.ReadSlotNames(label));
    }

    private static DataViewSchema.Column Column(IDataView data, string role, string name)
        => data.Schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(data), $"Could not find {role} column '{name}'.");
}
