namespace MLDeepExtensions.Transforms;

/// <summary>Every default of the calendar-features transform, defined once and used by the catalog and the options.</summary>
internal static class CalendarFeaturesDefaults
{
    public const string OutputColumnName = "CalendarFeatures";
    public const string InputColumnName = "Date";

    /// <summary>Month and day of the week: the seasons of monthly data and the weekly cycle of daily data (19 slots).</summary>
    public const CalendarFeatureKinds Features = CalendarFeatureKinds.Month | CalendarFeatureKinds.DayOfWeek;

    public const int HolidayDistanceLimit = 30;
    public const int MaxHolidayDistanceLimit = 366;

    /// <summary>Every defined kind; a bit outside it is refused.</summary>
    public const CalendarFeatureKinds All = (CalendarFeatureKinds)((1 << 10) - 1);

    /// <summary>The kinds that read the holiday dates.</summary>
    public const CalendarFeatureKinds HolidayKinds = CalendarFeatureKinds.Holiday | CalendarFeatureKinds.DaysToHoliday | CalendarFeatureKinds.DaysFromHoliday;
}
