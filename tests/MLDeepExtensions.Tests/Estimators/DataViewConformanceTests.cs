using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.ModelRunner;

namespace MLDeepExtensions.Tests.Estimators;

/// <summary>
/// ML.NET's estimator workout (what TestEstimatorCore, CheckSameSchemas and CheckSameValues in ML.NET's own test framework
/// check), written for our estimators and run on every head and architecture, and on ML.NET trainers as controls: the
/// schema promised by the estimator is the one the transformer and its output deliver, before and after save → load in
/// a new MLContext; data without the feature column is refused everywhere; and the output view keeps the IDataView
/// cursor contract (positions, active columns, cursors over any subset of columns, cursor sets, parallel and shuffled
/// cursors, disposal, row count).
/// </summary>
[TestClass]
public sealed class DataViewConformanceTests
{
    [ClassInitialize]
    public static void RegisterModules(TestContext _) => ExampleModules.Register();

    public static IEnumerable<object[]> Cases => ConformanceCase.Names.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Schemas_PromisedByTheEstimator_AreDelivered_BeforeAndAfterSaveLoad(string name)
    {
        var c = ConformanceCase.Create(name);
        var promised = c.Estimator.GetOutputSchema(SchemaShape.Create(c.Data.Schema));
        var model = c.Estimator.Fit(c.Data);
        var schema = model.GetOutputSchema(c.Data.Schema);
        CheckPromiseKept(promised, schema);
        var output = model.Transform(c.Data);
        CheckSameSchemas(schema, output.Schema);

        using var stream = new MemoryStream();
        c.Ml.Model.Save(model, c.Data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 9).Model.Load(stream, out var inputSchema);
        CheckSameSchemas(c.Data.Schema, inputSchema);
        CheckSameSchemas(schema, loaded.GetOutputSchema(c.Data.Schema));
        var reloaded = loaded.Transform(c.Data);
        CheckSameSchemas(schema, reloaded.Schema);
        CheckSameValues(output, reloaded);
        (loaded as IDisposable)?.Dispose();
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void DataWithoutTheFeatureColumn_IsRefused_ByEstimatorAndTransformer(string name)
    {
        var c = ConformanceCase.Create(name);
        var invalid = c.WithoutFeatures();
        var model = c.Estimator.Fit(c.Data);
        foreach (var (step, action) in new (string, Action)[]
        {
            ("estimator's GetOutputSchema", () => c.Estimator.GetOutputSchema(SchemaShape.Create(invalid.Schema))),
            ("Fit", () => c.Estimator.Fit(invalid)),
            ("transformer's GetOutputSchema", () => model.GetOutputSchema(invalid.Schema)),
            ("Transform", () => model.Transform(invalid)),
        })
        {
            var error = Assert.Throws<Exception>(action, step);
            Assert.IsInstanceOfType<ArgumentException>(error, $"{step}: {error.GetType().Name}: {error.Message}");
            StringAssert.Contains(error.Message, ConformanceCase.Features, step);
        }
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Cursors_KeepTheIDataViewContract(string name)
    {
        var c = ConformanceCase.Create(name);
        var model = c.Estimator.Fit(c.Data);
        var view = model.Transform(c.Data);
        var all = view.Schema.Where(column => !column.IsHidden).ToArray();
        var reference = Read(view, all);
        Assert.IsNotEmpty(reference.Rows, "the view has rows");
        Assert.AreEqual(c.Data.GetRowCount(), view.GetRowCount(), "row count");
        if (view.GetRowCount() is long count)
            Assert.AreEqual(count, (long)reference.Rows.Count, "rows read against the row count");

        // Any subset of columns reads the same values: each alone, the even ones, the odd ones.
        var subsets = all.Select(column => new[] { column })
            .Append(all.Where((_, i) => i % 2 == 0).ToArray())
            .Append(all.Where((_, i) => i % 2 == 1).ToArray());
        foreach (var subset in subsets.Where(s => s.Length > 0))
            CheckSubset(reference, Read(view, subset), subset);

        CheckPositionsAndActivity(view, all);
        CheckDisposal(view, all);

        // Cursor sets and shuffled cursors give every row once (by row id); parallel cursors agree row by row.
        var set = view.GetRowCursorSet(all, 2);
        Assert.IsNotEmpty(set, "a cursor set holds at least one cursor");
        var fromSet = set.SelectMany(cursor => { using (cursor) return Drain(cursor, all); }).ToList();
        CheckSameRowsById(reference, fromSet, "cursor set");
        if (view.CanShuffle)
        {
            using var shuffled = view.GetRowCursor(all, new Random(5));
            CheckSameRowsById(reference, Drain(shuffled, all), "shuffled cursor");
        }
        var parallel = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Read(view, all))).ToArray();
        Task.WaitAll(parallel);
        foreach (var task in parallel)
            CheckSubset(reference, task.Result, all);
        using (var first = view.GetRowCursor(all))
        using (var second = view.GetRowCursor(all))
        {
            var firstRows = Drain(first, all, interleaveWith: second);
            CheckSubset(reference, (reference.Columns, firstRows), all);
        }
        (model as IDisposable)?.Dispose();
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void OutputAnnotations_AreThoseOfAnMLNetTrainerOfTheSameTask(string name)
    {
        var c = ConformanceCase.Create(name);
        if (c.AnnotationControl is not { } control)
            return; // ML.NET has no trainer for this task (the multi-output, reconstruction and forecasting heads) or it is a control
        var ours = c.Estimator.Fit(c.Data).GetOutputSchema(c.Data.Schema);
        var theirs = control.Trainer.Fit(control.Data).GetOutputSchema(control.Data.Schema);
        foreach (string column in new[] { "Score", "PredictedLabel", "Probability" })
        {
            var expected = theirs.GetColumnOrNull(column);
            var actual = ours.GetColumnOrNull(column);
            Assert.AreEqual(expected.HasValue, actual.HasValue, $"{column}: present in ML.NET's output and ours alike");
            if (expected is not { } e || actual is not { } a)
                continue;
            Assert.AreEqual(e.Type.RawType, a.Type.RawType, $"{column}: raw type");
            CollectionAssert.AreEquivalent(e.Annotations.Schema.Select(k => k.Name).ToArray(), a.Annotations.Schema.Select(k => k.Name).ToArray(), $"{column}: annotation kinds");
            foreach (string kind in new[] { AnnotationUtils.Kinds.ScoreColumnKind, AnnotationUtils.Kinds.ScoreValueKind })
            {
                if (e.Annotations.Schema.GetColumnOrNull(kind) is null)
                    continue;
                ReadOnlyMemory<char> x = default, y = default;
                e.Annotations.GetValue(kind, ref x);
                a.Annotations.GetValue(kind, ref y);
                // One deliberate difference: ML.NET's anomaly trainers reuse the binary scorer and so say "BinaryClassification";
                // ours says "AnomalyDetection", the kind ML.NET defines for the task (its anomaly evaluator reads neither).
                if (kind == AnnotationUtils.Kinds.ScoreColumnKind && y.ToString() == AnnotationUtils.Const.ScoreColumnKind.AnomalyDetection)
                    Assert.AreEqual(AnnotationUtils.Const.ScoreColumnKind.BinaryClassification, x.ToString(), $"{column}: {kind}");
                else
                    Assert.AreEqual(x.ToString(), y.ToString(), $"{column}: {kind}");
            }
        }
    }

    private static void CheckPositionsAndActivity(IDataView view, DataViewSchema.Column[] all)
    {
        var requested = all.Where((_, i) => i % 2 == 0).ToArray();
        using var cursor = view.GetRowCursor(requested);
        Assert.AreEqual(-1L, cursor.Position, "position before the first MoveNext");
        foreach (var column in requested)
            Assert.IsTrue(cursor.IsColumnActive(column), $"requested column {column.Name} is active");
        foreach (var column in all.Except(requested).Where(column => !cursor.IsColumnActive(column)))
            Assert.Throws<Exception>(() => Getter(cursor, column), $"the getter of inactive column {column.Name}");
        long expected = 0;
        while (cursor.MoveNext())
        {
            Assert.AreEqual(expected++, cursor.Position, "positions count the rows from 0");
            Assert.IsGreaterThanOrEqualTo(0L, cursor.Batch, "batch");
        }
        Assert.AreEqual(-1L, cursor.Position, "position once MoveNext returned false");
        Assert.IsFalse(cursor.MoveNext(), "MoveNext after the end");
        Assert.AreEqual(-1L, cursor.Position, "position after the end, again");
    }

    private static void CheckDisposal(IDataView view, DataViewSchema.Column[] all)
    {
        var cursor = view.GetRowCursor(all);
        Assert.IsTrue(cursor.MoveNext(), "first row");
        cursor.Dispose();
        Assert.IsFalse(cursor.MoveNext(), "MoveNext on a disposed cursor");
        Assert.AreEqual(-1L, cursor.Position, "position of a disposed cursor");
        cursor.Dispose(); // twice is harmless
    }

    /// <summary>The non-hidden columns of <paramref name="view"/> read with a cursor over <paramref name="columns"/> only.</summary>
    private static (DataViewSchema.Column[] Columns, List<(DataViewRowId Id, object?[] Values)> Rows) Read(IDataView view, DataViewSchema.Column[] columns)
    {
        using var cursor = view.GetRowCursor(columns);
        return (columns, Drain(cursor, columns));
    }

    private static List<(DataViewRowId Id, object?[] Values)> Drain(DataViewRowCursor cursor, DataViewSchema.Column[] columns, DataViewRowCursor? interleaveWith = null)
    {
        var getters = columns.Select(column => Getter(cursor, column)).ToArray();
        var id = cursor.GetIdGetter();
        var rows = new List<(DataViewRowId, object?[])>();
        while (cursor.MoveNext())
        {
            interleaveWith?.MoveNext();
            DataViewRowId rowId = default;
            id(ref rowId);
            rows.Add((rowId, getters.Select(get => get()).ToArray()));
        }
        return rows;
    }

    /// <summary>A getter boxing the column's value (vectors as dense arrays, text as strings), through the typed getter of the column's raw type.</summary>
    private static Func<object?> Getter(DataViewRow row, DataViewSchema.Column column)
    {
        var type = column.Type is VectorDataViewType vector ? vector.ItemType.RawType : column.Type.RawType;
        var method = typeof(DataViewConformanceTests).GetMethod(column.Type is VectorDataViewType ? nameof(VectorGetter) : nameof(ScalarGetter),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type);
        try
        {
            return (Func<object?>)method.Invoke(null, new object[] { row, column })!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static Func<object?> ScalarGetter<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value is ReadOnlyMemory<char> text ? text.ToString() : value;
        };
    }

    private static Func<object?> VectorGetter<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        return () =>
        {
            VBuffer<T> value = default;
            getter(ref value);
            return value.DenseValues().Select(v => v is ReadOnlyMemory<char> text ? (object?)text.ToString() : v).ToArray();
        };
    }

    private static void CheckSubset((DataViewSchema.Column[] Columns, List<(DataViewRowId Id, object?[] Values)> Rows) reference,
        (DataViewSchema.Column[] Columns, List<(DataViewRowId Id, object?[] Values)> Rows) subset, DataViewSchema.Column[] columns)
    {
        Assert.HasCount(reference.Rows.Count, subset.Rows, $"rows read with columns [{Names(columns)}]");
        for (int row = 0; row < reference.Rows.Count; row++)
        {
            Assert.AreEqual(reference.Rows[row].Id, subset.Rows[row].Id, $"row {row} id with columns [{Names(columns)}]");
            for (int i = 0; i < columns.Length; i++)
            {
                int at = Array.FindIndex(reference.Columns, c => c.Index == columns[i].Index);
                AssertSame(reference.Rows[row].Values[at], subset.Rows[row].Values[i], $"row {row}, column {columns[i].Name}, read with [{Names(columns)}]");
            }
        }
    }

    private static void CheckSameRowsById((DataViewSchema.Column[] Columns, List<(DataViewRowId Id, object?[] Values)> Rows) reference,
        List<(DataViewRowId Id, object?[] Values)> rows, string what)
    {
        Assert.HasCount(reference.Rows.Count, rows, $"{what}: rows");
        var byId = rows.ToDictionary(r => r.Id, r => r.Values);
        foreach (var (id, values) in reference.Rows)
        {
            Assert.IsTrue(byId.TryGetValue(id, out var other), $"{what}: row {id} missing");
            for (int i = 0; i < values.Length; i++)
                AssertSame(values[i], other[i], $"{what}: row {id}, column {reference.Columns[i].Name}");
        }
    }

    /// <summary>Equal values; floats bitwise (NaN equals NaN), as ML.NET's CheckSameValues compares one process's outputs.</summary>
    private static void AssertSame(object? expected, object? actual, string message)
    {
        switch (expected)
        {
            case object?[] items:
                var others = (object?[])actual!;
                Assert.HasCount(items.Length, others, message);
                for (int i = 0; i < items.Length; i++)
                    AssertSame(items[i], others[i], $"{message}, slot {i}");
                break;
            case float f:
                Assert.AreEqual(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits((float)actual!), $"{message}: {f:R} vs {actual:R}");
                break;
            default:
                Assert.AreEqual(expected, actual, message);
                break;
        }
    }

    private static void CheckSameValues(IDataView expected, IDataView actual)
    {
        var columns = expected.Schema.Where(column => !column.IsHidden).ToArray();
        var a = Read(expected, columns);
        var b = Read(actual, columns.Select(column => actual.Schema[column.Index]).ToArray());
        Assert.HasCount(a.Rows.Count, b.Rows, "rows");
        for (int row = 0; row < a.Rows.Count; row++)
        {
            for (int i = 0; i < columns.Length; i++)
                AssertSame(a.Rows[row].Values[i], b.Rows[row].Values[i], $"row {row}, column {columns[i].Name}");
        }
    }

    /// <summary>What ML.NET's CheckSameSchemaShape asks: every delivered column was promised, with a compatible type and annotations.</summary>
    private static void CheckPromiseKept(SchemaShape promised, DataViewSchema schema)
    {
        var delivered = SchemaShape.Create(schema);
        CollectionAssert.AreEquivalent(promised.Select(c => c.Name).ToArray(), delivered.Select(c => c.Name).ToArray(), "columns promised and delivered");
        foreach (var column in delivered)
        {
            Assert.IsTrue(promised.TryFindColumn(column.Name, out var promise), column.Name);
            Assert.IsTrue(column.IsCompatibleWith(promise), $"column {column.Name}: delivered {column.GetTypeString()} is not what the estimator promised, {promise.GetTypeString()}");
        }
    }

    /// <summary>What ML.NET's CheckSameSchemas asks: the same columns, types, hidden flags, and annotations of the same kinds, types and values.</summary>
    private static void CheckSameSchemas(DataViewSchema expected, DataViewSchema actual)
    {
        Assert.HasCount(expected.Count, actual, "column count");
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.AreEqual(e.Name, a.Name, $"column {i}");
            Assert.AreEqual(e.Type, a.Type, e.Name);
            Assert.AreEqual(e.IsHidden, a.IsHidden, e.Name);
            Assert.HasCount(e.Annotations.Schema.Count, a.Annotations.Schema, $"{e.Name}: annotations");
            foreach (var kind in e.Annotations.Schema)
            {
                var other = a.Annotations.Schema.GetColumnOrNull(kind.Name);
                Assert.IsTrue(other.HasValue, $"{e.Name}: annotation {kind.Name}");
                Assert.AreEqual(kind.Type, other.Value.Type, $"{e.Name}: annotation {kind.Name}");
                AssertSame(Annotation(e.Annotations, kind), Annotation(a.Annotations, other.Value), $"{e.Name}: annotation {kind.Name}");
            }
        }
    }

    private static object? Annotation(DataViewSchema.Annotations annotations, DataViewSchema.Column kind)
    {
        bool vector = kind.Type is VectorDataViewType;
        var type = kind.Type is VectorDataViewType v ? v.ItemType.RawType : kind.Type.RawType;
        return typeof(DataViewConformanceTests).GetMethod(vector ? nameof(VectorAnnotation) : nameof(ScalarAnnotation),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type).Invoke(null, new object[] { annotations, kind });
    }

    private static object? ScalarAnnotation<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column kind)
    {
        T value = default!;
        annotations.GetValue(kind.Name, ref value);
        return value is ReadOnlyMemory<char> text ? text.ToString() : value;
    }

    private static object? VectorAnnotation<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column kind)
    {
        VBuffer<T> value = default;
        annotations.GetValue(kind.Name, ref value);
        return value.DenseValues().Select(v => v is ReadOnlyMemory<char> text ? (object?)text.ToString() : v).ToArray();
    }

    private static string Names(IEnumerable<DataViewSchema.Column> columns) => string.Join(", ", columns.Select(c => c.Name));
}
