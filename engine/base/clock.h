/*
 * clock.h -- the monotonic clock, in seconds (internal): for deadlines
 * and budgets of time, which the wall clock could move under.
 */
#ifndef PB_CLOCK_H
#define PB_CLOCK_H

double pb__monotonic(void);

#endif
