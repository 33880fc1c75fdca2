using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MLDeepExtensions.Tests.Transforms;

/// <summary>
/// mlContext.Transforms.CalendarFeatures: the values for known dates, holiday flags and distances, slot names, the
/// schema from the estimator and the transformer, save → load in a fresh MLContext, PredictionEngine.
/// </summary>
[TestClass]
public sealed class CalendarFeaturesTests
{
    public sealed class DateRow
    {
        public DateTime Date { get; set; }
    }

    public sealed class OffsetRow
    {
        public DateTimeOffset Date { get; set; }
    }

    public sealed class FeaturesRow
    {
        public float[] CalendarFeatures { get; set; } = [];
    }

    private const CalendarFeatureKinds AllButHolidays = CalendarFeatureKinds.Month | CalendarFeatureKinds.Quarter | CalendarFeatureKinds.DayOfWeek
        | CalendarFeatureKinds.DayOfMonth | CalendarFeatureKinds.DayOfYear | CalendarFeatureKinds.HourOfDay | CalendarFeatureKinds.Weekend;

    private const CalendarFeatureKinds HolidayKinds = CalendarFeatureKinds.Holiday | CalendarFeatureKinds.DaysToHoliday | CalendarFeatureKinds.DaysFromHoliday;

    private static readonly DateTime[] Christmas = [new(2024, 12, 25), new(2025, 12, 25), new(2024, 12, 25, 9, 0, 0)];

    private static IDataView Dates(MLContext ml, params DateTime[] dates) => ml.Data.LoadFromEnumerable(dates.Select(d => new DateRow { Date = d }));

    /// <summary>The features of each date, by slot name.</summary>
    private static List<Dictionary<string, float>> Features(ITransformer transformer, IDataView data, string column = "CalendarFeatures")
    {
        var output = transformer.Transform(data);
        var names = SlotNames(output.Schema[column]);
        return output.GetColumn<float[]>(column).Select(values =>
        {
            Assert.HasCount(names.Length, values);
            return names.Zip(values).ToDictionary(p => p.First, p => p.Second);
        }).ToList();
    }

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue("SlotNames", ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>Asserts that exactly one slot of a one-hot group is 1, the one named.</summary>
    private static void AssertOneHot(Dictionary<string, float> row, string prefix, string expected)
    {
        var group = row.Where(p => p.Key.StartsWith(prefix + "=", StringComparison.Ordinal)).ToArray();
        Assert.IsNotEmpty(group, prefix);
        foreach (var (name, value) in group)
            Assert.AreEqual(name == prefix + "=" + expected ? 1f : 0f, value, name);
    }

    [TestMethod]
    public void Transform_LeapDay_GivesItsMonthQuarterWeekdayAndPlaceInTheYear()
    {
        var ml = new MLContext(seed: 1);
        var leapDayEvening = new DateTime(2024, 2, 29, 18, 0, 0);
        var data = Dates(ml, leapDayEvening);
        var row = Features(ml.Transforms.CalendarFeatures("CalendarFeatures", "Date", AllButHolidays).Fit(data), data).Single();

        AssertOneHot(row, "Month", "Feb");
        AssertOneHot(row, "Quarter", "Q1");
        AssertOneHot(row, "DayOfWeek", "Thu"); // 29 February 2024 was a Thursday
        Assert.AreEqual(28 / 30.0, row["DayOfMonth"], 1e-6);
        // 59 days after 1 January, in a year of 366.
        double turn = (leapDayEvening.Date - new DateTime(2024, 1, 1)).TotalDays / 366;
        Assert.AreEqual(59 / 366.0, turn, 1e-12);
        Assert.AreEqual(Math.Sin(2 * Math.PI * turn), row["DayOfYear.Sin"], 1e-6);
        Assert.AreEqual(Math.Cos(2 * Math.PI * turn), row["DayOfYear.Cos"], 1e-6);
        // 18:00 is three quarters of the way round the day: sin −1, cos 0.
        Assert.AreEqual(-1, row["HourOfDay.Sin"], 1e-6);
        Assert.AreEqual(0, row["HourOfDay.Cos"], 1e-6);
        Assert.AreEqual(0f, row["Weekend"]);
        Assert.HasCount(12 + 4 + 7 + 1 + 2 + 2 + 1, row);
    }

    [TestMethod]
    public void Transform_EveryDayOfAYear_StaysWithinMinusOneAndOne()
    {
        var ml = new MLContext(seed: 1);
        var days = Enumerable.Range(0, 366).Select(i => new DateTime(2024, 1, 1).AddDays(i).AddHours(i % 24)).ToArray();
        var data = Dates(ml, days);
        var rows = Features(ml.Transforms.CalendarFeatures(features: AllButHolidays | HolidayKinds, holidays: Christmas, inputColumnName: "Date").Fit(data), data);

        Assert.IsTrue(rows.SelectMany(r => r.Values).All(v => v is >= -1f and <= 1f));
        Assert.AreEqual(1f, rows[365]["DayOfMonth"], "31 December");
        Assert.AreEqual(0f, rows[0]["DayOfMonth"], "1 January");
        // 2024 starts on a Monday and has 366 days: 52 Saturdays and 52 Sundays.
        Assert.AreEqual(104, rows.Count(r => r["Weekend"] == 1f));
        Assert.IsTrue(rows.All(r => r["Weekend"] == r["DayOfWeek=Sat"] + r["DayOfWeek=Sun"]));
        Assert.AreEqual(1, rows.Count(r => r["Holiday"] == 1f), "Christmas 2024");
    }

    [TestMethod]
    public void Transform_Holidays_FlagTheDateAndClipTheDistances()
    {
        var ml = new MLContext(seed: 1);
        var data = Dates(ml, new DateTime(2024, 12, 25, 15, 30, 0), new DateTime(2024, 12, 20), new DateTime(2024, 12, 28), new DateTime(2026, 3, 1), new DateTime(2025, 12, 24, 23, 59, 0));
        var rows = Features(ml.Transforms.CalendarFeatures("CalendarFeatures", "Date", HolidayKinds, Christmas).Fit(data), data);

        // On the holiday, whatever the time of day.
        Assert.AreEqual((1f, 0f, 0f), (rows[0]["Holiday"], rows[0]["DaysToHoliday"], rows[0]["DaysFromHoliday"]));
        // Five days before the first holiday, none before it.
        Assert.AreEqual((0f, 5 / 30f, 1f), (rows[1]["Holiday"], rows[1]["DaysToHoliday"], rows[1]["DaysFromHoliday"]));
        // Three days after 2024's Christmas, 362 before 2025's (clipped).
        Assert.AreEqual((0f, 1f, 3 / 30f), (rows[2]["Holiday"], rows[2]["DaysToHoliday"], rows[2]["DaysFromHoliday"]));
        // After the last holiday, more than 30 days on.
        Assert.AreEqual((0f, 1f, 1f), (rows[3]["Holiday"], rows[3]["DaysToHoliday"], rows[3]["DaysFromHoliday"]));
        // Christmas Eve, one minute before midnight: one day before by date.
        Assert.AreEqual((0f, 1 / 30f, 1f), (rows[4]["Holiday"], rows[4]["DaysToHoliday"], rows[4]["DaysFromHoliday"]));
    }

    [TestMethod]
    public void Transform_DateTimeOffset_ReadsItsOwnClockTime()
    {
        var ml = new MLContext(seed: 1);
        // 1 March 2024, 01:00 at +05:00 is still 29 February in UTC; its own calendar says Friday 1 March.
        var data = ml.Data.LoadFromEnumerable([new OffsetRow { Date = new DateTimeOffset(2024, 3, 1, 1, 0, 0, TimeSpan.FromHours(5)) }]);
        var row = Features(ml.Transforms.CalendarFeatures(inputColumnName: "Date").Fit(data), data).Single();

        AssertOneHot(row, "Month", "Mar");
        AssertOneHot(row, "DayOfWeek", "Fri");
    }

    [TestMethod]
    public void SlotNames_NameEverySlotInOrder()
    {
        var ml = new MLContext(seed: 1);
        var data = Dates(ml, new DateTime(2024, 1, 1));
        var transformer = ml.Transforms.CalendarFeatures("Calendar", "Date").Fit(data);

        string[] expected =
        [
            "Month=Jan", "Month=Feb", "Month=Mar", "Month=Apr", "Month=May", "Month=Jun",
            "Month=Jul", "Month=Aug", "Month=Sep", "Month=Oct", "Month=Nov", "Month=Dec",
            "DayOfWeek=Mon", "DayOfWeek=Tue", "DayOfWeek=Wed", "DayOfWeek=Thu", "DayOfWeek=Fri", "DayOfWeek=Sat", "DayOfWeek=Sun",
        ];
        CollectionAssert.AreEqual(expected, SlotNames(transformer.Transform(data).Schema["Calendar"]));
        CollectionAssert.AreEqual(expected, transformer.SlotNames.ToArray());
        Assert.AreEqual(CalendarFeatureKinds.Month | CalendarFeatureKinds.DayOfWeek, transformer.Features, "the default");

        var all = ml.Transforms.CalendarFeatures("Calendar", "Date", AllButHolidays | HolidayKinds, Christmas).Fit(data);
        CollectionAssert.AreEqual(new[] { "Quarter=Q1", "Quarter=Q2", "Quarter=Q3", "Quarter=Q4" }, all.SlotNames.Skip(12).Take(4).ToArray());
        CollectionAssert.AreEqual(new[] { "DayOfMonth", "DayOfYear.Sin", "DayOfYear.Cos", "HourOfDay.Sin", "HourOfDay.Cos", "Weekend", "Holiday", "DaysToHoliday", "DaysFromHoliday" },
            all.SlotNames.Skip(23).ToArray());
    }

    [TestMethod]
    public void GetOutputSchema_EstimatorAndTransformer_ReportTheVectorSizeAndSlotNames()
    {
        var ml = new MLContext(seed: 1);
        var data = Dates(ml, new DateTime(2024, 1, 1));
        var estimator = ml.Transforms.CalendarFeatures("Calendar", "Date", CalendarFeatureKinds.Month | CalendarFeatureKinds.Quarter | CalendarFeatureKinds.Holiday, Christmas);

        var shape = estimator.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.IsTrue(shape.TryFindColumn("Calendar", out var column));
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.AreEqual(NumberDataViewType.Single, column.ItemType);
        Assert.IsTrue(column.Annotations.TryFindColumn("SlotNames", out _));
        Assert.IsTrue(shape.TryFindColumn("Date", out _), "the input column stays");

        var transformer = estimator.Fit(data);
        var schema = transformer.GetOutputSchema(data.Schema);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 17), schema["Calendar"].Type);
        Assert.AreEqual(17, transformer.OutputSize);
        Assert.AreEqual(schema["Calendar"].Type, transformer.Transform(data).Schema["Calendar"].Type);
        Assert.HasCount(17, SlotNames(schema["Calendar"]));
    }

    [TestMethod]
    public void SaveLoad_InFreshContext_ScoresIdenticallyAndKeepsTheHolidays()
    {
        var ml = new MLContext(seed: 1);
        var days = Enumerable.Range(0, 400).Select(i => new DateTime(2024, 11, 1).AddHours(7 * i)).ToArray();
        var data = Dates(ml, days);
        var model = ml.Transforms.CalendarFeatures("Calendar", "Date", AllButHolidays | HolidayKinds, Christmas)
            .Append(ml.Transforms.Concatenate("Features", "Calendar"))
            .Fit(data);
        var expected = model.Transform(data).GetColumn<float[]>("Features").ToArray();

        var path = Path.Combine(Path.GetTempPath(), $"calendar-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext(seed: 2);
            var loaded = fresh.Model.Load(path, out var inputSchema);
            Assert.AreEqual(DateTimeDataViewType.Instance, inputSchema["Date"].Type);
            var actual = loaded.Transform(Dates(fresh, days)).GetColumn<float[]>("Features").ToArray();
            Assert.HasCount(expected.Length, actual);
            for (int i = 0; i < expected.Length; i++)
                CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
            Assert.IsTrue(expected.Any(r => r[^3] == 1f), "the holiday flag is set on some rows");

            var calendar = ((TransformerChain<ITransformer>)loaded).OfType<CalendarFeaturesTransformer>().Single();
            CollectionAssert.AreEqual(new[] { new DateTime(2024, 12, 25), new DateTime(2025, 12, 25) }, calendar.Holidays.ToArray());
            Assert.AreEqual(AllButHolidays | HolidayKinds, calendar.Features);
            Assert.AreEqual(("Calendar", "Date"), (calendar.OutputColumnName, calendar.InputColumnName));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PredictionEngine_MatchesTransform_AlsoAfterLoading()
    {
        var ml = new MLContext(seed: 1);
        var days = new[] { new DateTime(2024, 2, 29), new DateTime(2024, 12, 25), new DateTime(2025, 7, 6, 13, 0, 0) };
        var data = Dates(ml, days);
        var transformer = ml.Transforms.CalendarFeatures("CalendarFeatures", "Date", AllButHolidays | CalendarFeatureKinds.Holiday, Christmas).Fit(data);
        var expected = transformer.Transform(data).GetColumn<float[]>("CalendarFeatures").ToArray();

        using var stream = new MemoryStream();
        ml.Model.Save(transformer, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(stream, out _);
        Assert.IsInstanceOfType<CalendarFeaturesTransformer>(loaded);

        foreach (var (context, model) in new[] { (ml, (ITransformer)transformer), (fresh, loaded) })
        {
            var engine = context.Model.CreatePredictionEngine<DateRow, FeaturesRow>(model);
            for (int i = 0; i < days.Length; i++)
                CollectionAssert.AreEqual(expected[i], engine.Predict(new DateRow { Date = days[i] }).CalendarFeatures, $"row {i}");
        }
    }

    [TestMethod]
    public void Options_ChangedAfterwards_DoNotChangeTheEstimator()
    {
        var ml = new MLContext(seed: 1);
        var holidays = new List<DateTime> { new(2024, 12, 25) };
        var options = new CalendarFeaturesOptions { Features = CalendarFeatureKinds.DaysToHoliday, Holidays = holidays, HolidayDistanceLimit = 10 };
        var estimator = ml.Transforms.CalendarFeatures(options);
        holidays.Add(new DateTime(2024, 12, 21));
        options.Features = CalendarFeatureKinds.Month;

        var data = Dates(ml, new DateTime(2024, 12, 20));
        var transformer = estimator.Fit(data);
        Assert.AreEqual(CalendarFeatureKinds.DaysToHoliday, transformer.Features);
        Assert.AreEqual(0.5f, Features(transformer, data).Single()["DaysToHoliday"], "5 days of a 10-day limit");
    }
}
