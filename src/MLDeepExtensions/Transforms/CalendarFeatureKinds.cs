using System;

namespace MLDeepExtensions;

/// <summary>
/// The calendar features <c>mlContext.Transforms.CalendarFeatures(...)</c> computes from a date, combined with <c>|</c>.
/// Each kind adds its slots to the output vector in the order of this list; every value lies in [−1, 1], so a network
/// reads them without further scaling. A <see cref="DateTimeOffset"/> is read by its own clock time
/// (<see cref="DateTimeOffset.DateTime"/>), a <see cref="DateTime"/> as it is, whatever its <see cref="DateTime.Kind"/>.
/// </summary>
[Flags]
public enum CalendarFeatureKinds
{
    /// <summary>No feature: not a valid choice on its own.</summary>
    None = 0,

    /// <summary>The month, one-hot: 12 slots, "Month=Jan" … "Month=Dec".</summary>
    Month = 1 << 0,

    /// <summary>The quarter, one-hot: 4 slots, "Quarter=Q1" … "Quarter=Q4".</summary>
    Quarter = 1 << 1,

    /// <summary>The day of the week, one-hot, Monday first: 7 slots, "DayOfWeek=Mon" … "DayOfWeek=Sun".</summary>
    DayOfWeek = 1 << 2,

    /// <summary>The day of the month as (day − 1) / 30: one slot, "DayOfMonth", 0 on the 1st and 1 on the 31st.</summary>
    DayOfMonth = 1 << 3,

    /// <summary>
    /// The position in the year on a circle: two slots, "DayOfYear.Sin" and "DayOfYear.Cos", the sine and cosine of
    /// 2π (day of year − 1) / (days in that year), so 31 December lies next to 1 January.
    /// </summary>
    DayOfYear = 1 << 4,

    /// <summary>
    /// The time of day on a circle: two slots, "HourOfDay.Sin" and "HourOfDay.Cos", the sine and cosine of
    /// 2π (hours since midnight, with fractions) / 24. For hourly and finer data.
    /// </summary>
    HourOfDay = 1 << 5,

    /// <summary>Saturday or Sunday: one slot, "Weekend", 1 or 0.</summary>
    Weekend = 1 << 6,

    /// <summary>The date is one of the holidays given (compared by date, the time of day ignored): one slot, "Holiday", 1 or 0.</summary>
    Holiday = 1 << 7,

    /// <summary>
    /// Days until the next holiday (0 on a holiday), divided by the distance limit and clipped at 1 (also 1 when no
    /// later holiday is listed): one slot, "DaysToHoliday".
    /// </summary>
    DaysToHoliday = 1 << 8,

    /// <summary>
    /// Days since the last holiday (0 on a holiday), divided by the distance limit and clipped at 1 (also 1 when no
    /// earlier holiday is listed): one slot, "DaysFromHoliday".
    /// </summary>
    DaysFromHoliday = 1 << 9,
}
