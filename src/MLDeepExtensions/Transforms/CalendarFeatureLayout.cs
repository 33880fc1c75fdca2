using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MLDeepExtensions.Transforms;

/// <summary>
/// A validated choice of calendar features: the slots they fill (names and order), the holiday dates, and the values
/// for one date. Immutable; shared by the estimator, the transformer and its mapper.
/// </summary>
internal sealed class CalendarFeatureLayout
{
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] DayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    /// <summary>The holidays as days since 0001-01-01, ascending, no repeats.</summary>
    private readonly int[] _holidays;

    private CalendarFeatureLayout(CalendarFeatureKinds features, int[] holidays, int distanceLimit)
    {
        Features = features;
        _holidays = holidays;
        DistanceLimit = distanceLimit;
        SlotNames = Names(features).ToArray();
    }

    public CalendarFeatureKinds Features { get; }

    public int DistanceLimit { get; }

    /// <summary>One name per output slot, in slot order.</summary>
    public IReadOnlyList<string> SlotNames { get; }

    public int Size => SlotNames.Count;

    /// <summary>The holiday dates, ascending.</summary>
    public IEnumerable<DateTime> Holidays => _holidays.Select(day => new DateTime(day * TimeSpan.TicksPerDay));

    /// <summary>Checks the options, reporting every problem at once, and returns the layout they describe.</summary>
    public static CalendarFeatureLayout Create(CalendarFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(options.OutputColumnName))
            errors.Add($"OutputColumnName is empty: name the output column, e.g. \"{CalendarFeaturesDefaults.OutputColumnName}\".");
        if (string.IsNullOrWhiteSpace(options.InputColumnName))
            errors.Add($"InputColumnName is empty: name the DateTime or DateTimeOffset column to read, e.g. \"{CalendarFeaturesDefaults.InputColumnName}\".");
        var features = options.Features;
        var undefined = features & ~CalendarFeaturesDefaults.All;
        if (undefined != 0)
            errors.Add($"Features has undefined bits 0x{(int)undefined:X} ({(int)features}): combine only CalendarFeatureKinds members.");
        if ((features & CalendarFeaturesDefaults.All) == 0)
            errors.Add($"Features is empty ({features}): choose at least one, e.g. CalendarFeatureKinds.Month | CalendarFeatureKinds.DayOfWeek.");
        int[] holidays = options.Holidays is null ? [] : options.Holidays.Select(Day).Distinct().Order().ToArray();
        bool readsHolidays = (features & CalendarFeaturesDefaults.HolidayKinds) != 0;
        if (readsHolidays && holidays.Length == 0)
            errors.Add($"Features has {features & CalendarFeaturesDefaults.HolidayKinds}, but no holiday dates are given ({(options.Holidays is null ? "null" : "an empty list")}): pass the holidays (holidays: ...), or remove Holiday, DaysToHoliday and DaysFromHoliday from Features.");
        if (!readsHolidays && holidays.Length > 0)
            errors.Add($"Holidays are given ({holidays.Length} date{(holidays.Length == 1 ? "" : "s")}) but Features ({features}) reads none of them: add CalendarFeatureKinds.Holiday (or DaysToHoliday / DaysFromHoliday) to Features, or leave out the holidays.");
        if (options.HolidayDistanceLimit is < 1 or > CalendarFeaturesDefaults.MaxHolidayDistanceLimit)
            errors.Add($"HolidayDistanceLimit is {options.HolidayDistanceLimit}: give a number of days in [1, {CalendarFeaturesDefaults.MaxHolidayDistanceLimit}] (default {CalendarFeaturesDefaults.HolidayDistanceLimit}).");
        errors.ThrowIfAny("calendar feature options");
        return new(features, holidays, options.HolidayDistanceLimit);
    }

    /// <summary>Writes the values for <paramref name="date"/> into <paramref name="values"/> (of <see cref="Size"/> slots).</summary>
    public void Compute(DateTime date, Span<float> values)
    {
        values.Clear();
        int slot = 0;
        if (Has(CalendarFeatureKinds.Month))
        {
            values[slot + date.Month - 1] = 1;
            slot += 12;
        }
        if (Has(CalendarFeatureKinds.Quarter))
        {
            values[slot + (date.Month - 1) / 3] = 1;
            slot += 4;
        }
        if (Has(CalendarFeatureKinds.DayOfWeek))
        {
            values[slot + MondayFirst(date.DayOfWeek)] = 1;
            slot += 7;
        }
        if (Has(CalendarFeatureKinds.DayOfMonth))
            values[slot++] = (date.Day - 1) / 30f;
        if (Has(CalendarFeatureKinds.DayOfYear))
        {
            double angle = 2 * Math.PI * (date.DayOfYear - 1) / (DateTime.IsLeapYear(date.Year) ? 366 : 365);
            values[slot++] = (float)Math.Sin(angle);
            values[slot++] = (float)Math.Cos(angle);
        }
        if (Has(CalendarFeatureKinds.HourOfDay))
        {
            double angle = 2 * Math.PI * date.TimeOfDay.TotalHours / 24;
            values[slot++] = (float)Math.Sin(angle);
            values[slot++] = (float)Math.Cos(angle);
        }
        if (Has(CalendarFeatureKinds.Weekend))
            values[slot++] = date.DayOfWeek is System.DayOfWeek.Saturday or System.DayOfWeek.Sunday ? 1 : 0;
        if ((Features & CalendarFeaturesDefaults.HolidayKinds) == 0)
            return;
        int day = Day(date);
        int index = Array.BinarySearch(_holidays, day);
        if (Has(CalendarFeatureKinds.Holiday))
            values[slot++] = index >= 0 ? 1 : 0;
        // Not found: ~index is the first holiday after the date.
        int next = index >= 0 ? index : ~index;
        int previous = index >= 0 ? index : ~index - 1;
        if (Has(CalendarFeatureKinds.DaysToHoliday))
            values[slot++] = Distance(next < _holidays.Length ? _holidays[next] - day : int.MaxValue);
        if (Has(CalendarFeatureKinds.DaysFromHoliday))
            values[slot++] = Distance(previous >= 0 ? day - _holidays[previous] : int.MaxValue);
    }

    /// <summary>
    /// Writes the layout: int features; int distance limit; int holiday count; that many ints, the holidays as days
    /// since 0001-01-01, ascending.
    /// </summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write((int)Features);
        writer.Write(DistanceLimit);
        writer.Write(_holidays.Length);
        foreach (int day in _holidays)
            writer.Write(day);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, checking every field before it is used.</summary>
    public static CalendarFeatureLayout Read(BinaryReader reader)
    {
        var features = (CalendarFeatureKinds)reader.ReadInt32();
        if ((features & ~CalendarFeaturesDefaults.All) != 0 || features == 0)
            throw Damaged($"its feature set 0x{(int)features:X} is empty or has bits this version does not define");
        int limit = reader.ReadInt32();
        if (limit is < 1 or > CalendarFeaturesDefaults.MaxHolidayDistanceLimit)
            throw Damaged($"its holiday distance limit {limit} is outside [1, {CalendarFeaturesDefaults.MaxHolidayDistanceLimit}]");
        int count = reader.ReadInt32();
        int maxDays = Day(DateTime.MaxValue) + 1;
        long remaining = reader.BaseStream.CanSeek ? (reader.BaseStream.Length - reader.BaseStream.Position) / sizeof(int) : maxDays;
        if (count < 0 || count > maxDays || count > remaining)
            throw Damaged($"its holiday count {count} is negative or larger than the data that follows");
        if ((count > 0) != ((features & CalendarFeaturesDefaults.HolidayKinds) != 0))
            throw Damaged($"its {count} holidays do not fit its features ({features})");
        var holidays = new int[count];
        for (int i = 0; i < count; i++)
        {
            holidays[i] = reader.ReadInt32();
            if (holidays[i] < 0 || holidays[i] >= maxDays || (i > 0 && holidays[i] <= holidays[i - 1]))
                throw Damaged($"its holiday {i} ({holidays[i]} days) is out of range or out of order");
        }
        return new(features, holidays, limit);
    }

    private bool Has(CalendarFeatureKinds kind) => (Features & kind) != 0;

    private float Distance(int days) => days >= DistanceLimit ? 1f : (float)days / DistanceLimit;

    private static int Day(DateTime date) => (int)(date.Ticks / TimeSpan.TicksPerDay);

    private static int MondayFirst(System.DayOfWeek day) => ((int)day + 6) % 7;

    private static IEnumerable<string> Names(CalendarFeatureKinds features)
    {
        if ((features & CalendarFeatureKinds.Month) != 0)
            foreach (string month in MonthNames)
                yield return "Month=" + month;
        if ((features & CalendarFeatureKinds.Quarter) != 0)
            for (int quarter = 1; quarter <= 4; quarter++)
                yield return "Quarter=Q" + (char)('0' + quarter);
        if ((features & CalendarFeatureKinds.DayOfWeek) != 0)
            foreach (string day in DayNames)
                yield return "DayOfWeek=" + day;
        if ((features & CalendarFeatureKinds.DayOfMonth) != 0)
            yield return "DayOfMonth";
        if ((features & CalendarFeatureKinds.DayOfYear) != 0)
        {
            yield return "DayOfYear.Sin";
            yield return "DayOfYear.Cos";
        }
        if ((features & CalendarFeatureKinds.HourOfDay) != 0)
        {
            yield return "HourOfDay.Sin";
            yield return "HourOfDay.Cos";
        }
        foreach (var kind in new[] { CalendarFeatureKinds.Weekend, CalendarFeatureKinds.Holiday, CalendarFeatureKinds.DaysToHoliday, CalendarFeatureKinds.DaysFromHoliday })
        {
            if ((features & kind) != 0)
                yield return kind.ToString();
        }
    }

    private static InvalidDataException Damaged(string what)
        => new($"The calendar features transform in this model file is damaged: {what}. Restore the file from a good copy, or save the model again.");
}
