using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using MLDeepExtensions.Transforms;

namespace MLDeepExtensions.Tests.Transforms;

/// <summary>Every bad input of the calendar-features transform gets an exception naming the column or option and the fix.</summary>
[TestClass]
public sealed class CalendarFeaturesBadInputTests
{
    public sealed class DateRow
    {
        public DateTime Date { get; set; }
    }

    public sealed class TextRow
    {
        public string Date { get; set; } = "";
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static readonly DateTime[] Christmas = [new(2024, 12, 25)];

    private static IDataView Dates() => Ml.Data.LoadFromEnumerable([new DateRow { Date = new DateTime(2024, 2, 29) }]);

    private static IDataView Text() => Ml.Data.LoadFromEnumerable([new TextRow { Date = "2024-02-29" }]);

    [TestMethod]
    public void FitAndGetOutputSchema_MissingDateColumn_Throw()
    {
        var estimator = Ml.Transforms.CalendarFeatures("Calendar", "When");
        const string expected = "Could not find date column 'When'";

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(Dates())).Message, expected);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(Dates().Schema))).Message, expected);
    }

    [TestMethod]
    public void FitGetOutputSchemaAndTransform_TextDateColumn_Throw()
    {
        var estimator = Ml.Transforms.CalendarFeatures("Calendar", "Date");
        const string expected = "Schema mismatch for date column 'Date': expected DateTime or DateTimeOffset, got String";

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(Text())).Message, expected);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShape.Create(Text().Schema))).Message, expected);
        var transformer = estimator.Fit(Dates());
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.Transform(Text())).Message, expected);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(Text().Schema)).Message, expected);
    }

    [TestMethod]
    public void Create_NoFeatures_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.CalendarFeatures("Calendar", "Date", CalendarFeatureKinds.None));
        StringAssert.Contains(error.Message, "Features is empty (None): choose at least one");
    }

    [TestMethod]
    public void Create_UndefinedFeatureBits_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.CalendarFeatures("Calendar", "Date", CalendarFeatureKinds.Month | (CalendarFeatureKinds)0x1000));
        StringAssert.Contains(error.Message, "Features has undefined bits 0x1000");
        Assert.DoesNotContain("Features is empty", error.Message, "Month is a feature");
    }

    [TestMethod]
    [DataRow(CalendarFeatureKinds.Holiday, false)]
    [DataRow(CalendarFeatureKinds.DaysToHoliday, true)]
    [DataRow(CalendarFeatureKinds.Month | CalendarFeatureKinds.DaysFromHoliday, false)]
    public void Create_HolidayFeatureWithoutDates_Throws(CalendarFeatureKinds features, bool emptyList)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.CalendarFeatures("Calendar", "Date", features, emptyList ? [] : null));
        StringAssert.Contains(error.Message, "but no holiday dates are given");
        StringAssert.Contains(error.Message, "pass the holidays");
    }

    [TestMethod]
    public void Create_DatesWithoutHolidayFeature_Throws()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.CalendarFeatures("Calendar", "Date", CalendarFeatureKinds.Month | CalendarFeatureKinds.Weekend, Christmas));
        StringAssert.Contains(error.Message, "Holidays are given (1 date) but Features (Month, Weekend) reads none of them");
    }

    [TestMethod]
    public void Create_SeveralProblems_ListsEveryOne()
    {
        var options = new CalendarFeaturesOptions { OutputColumnName = "", InputColumnName = " ", Features = CalendarFeatureKinds.None, HolidayDistanceLimit = 0 };
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Transforms.CalendarFeatures(options));
        StringAssert.StartsWith(error.Message, "Invalid calendar feature options (4 problems)");
        foreach (var part in new[] { "OutputColumnName is empty", "InputColumnName is empty", "Features is empty", "HolidayDistanceLimit is 0: give a number of days in [1, 366]" })
            StringAssert.Contains(error.Message, part);
    }

    [TestMethod]
    public void Load_DamagedCalendarFields_ThrowsInvalidData()
    {
        var layout = CalendarFeatureLayout.Create(new CalendarFeaturesOptions { Features = CalendarFeatureKinds.Holiday, Holidays = [new DateTime(2024, 12, 25), new DateTime(2025, 1, 1)] });
        var good = new MemoryStream();
        using (var writer = new BinaryWriter(good, System.Text.Encoding.UTF8, leaveOpen: true))
            layout.Write(writer);
        var bytes = good.ToArray();
        Assert.AreEqual(layout.Holidays.Count(), CalendarFeatureLayout.Read(new BinaryReader(new MemoryStream(bytes))).Holidays.Count(), "the good bytes read back");

        foreach (var (offset, value, expected) in new[] { (0, 0, "feature set 0x0"), (4, 0, "distance limit 0"), (8, int.MaxValue, "holiday count"), (16, 0, "out of range or out of order") })
        {
            var damaged = (byte[])bytes.Clone();
            BitConverter.TryWriteBytes(damaged.AsSpan(offset), value);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => CalendarFeatureLayout.Read(new BinaryReader(new MemoryStream(damaged))));
            StringAssert.Contains(error.Message, expected);
        }
    }
}
