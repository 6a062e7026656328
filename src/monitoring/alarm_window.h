#pragma once
// How long a dead-man's-switch alarm waits, derived from a schedule, and how that wait is
// expressed in CloudWatch's terms (Period x EvaluationPeriods, all of them breaching).
//
// An alarm on "Sum of the metric < 1, missing data breaching" over N periods of P seconds,
// with DatapointsToAlarm = N, fires once N consecutive periods hold no data point: at least
// N x P after the last one. So N x P must cover the longest quiet time that is still healthy
// (the schedule's longest gap plus whatever may delay a data point), and should not exceed it
// by much, or a stopped job goes unnoticed for longer than it has to.

#include <chrono>

#include "core/error.h"
#include "schedule/cron_expression.h"

namespace cwp::monitoring {

// CloudWatch PutMetricAlarm: Period is 10, 20, 30 or a multiple of 60 s; the sub-minute ones
// are for high-resolution metrics, and EMF metrics are standard resolution (one-minute data),
// so we use multiples of 60 only.
inline constexpr std::chrono::seconds min_alarm_period{60};
// The console and API take periods up to one day.
inline constexpr std::chrono::seconds max_alarm_period{86400};
// PutMetricAlarm: Period x EvaluationPeriods is at most 7 days, and at most 1 day when Period
// is under one hour.
inline constexpr std::chrono::seconds max_alarm_window{604800};
inline constexpr std::chrono::seconds max_short_period_window{86400};
inline constexpr std::chrono::seconds short_period_limit{3600};

// The longest time between two consecutive fire times of the schedule. Exact: for @every it is
// the interval; for cron, every day that fires fires at the same times of day, so the gaps are
// those within a day and those from one firing day's last time to the next firing day's first;
// the firing days are scanned over 2000-2028, 29 years, in which every kind of year (each
// weekday of January 1st, leap or not) occurs, so every gap the calendar can make occurs.
std::chrono::seconds longest_gap(const schedule::cron_expression& schedule);

struct alarm_window {
  std::chrono::seconds period{0};
  int evaluation_periods{0};  // also DatapointsToAlarm: every period must be breaching
  std::chrono::seconds total() const { return period * evaluation_periods; }
};

// The smallest window CloudWatch accepts that covers `quiet`: one-minute periods while the
// window fits in a day (precise to the minute), else one-hour periods up to 7 days. A quiet
// time longer than 7 days cannot be watched by a metric alarm: errc::invalid_argument saying so.
core::result<alarm_window> window_covering(std::chrono::seconds quiet);

}  // namespace cwp::monitoring
