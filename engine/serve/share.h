/*
 * share.h -- each agent's share of the serving thread (docs/api.md,
 * "Each agent's share"): one thread serves every request, so time one
 * client spends is time every other waits.  Each name has an allowance
 * of seconds of that thread, refilled at `rate` seconds a second up to
 * one second's worth; a request is charged what it took, after it ran,
 * and a name whose allowance is spent waits until it is not.  Used
 * under the API's lock.
 */
#ifndef PB_SHARE_H
#define PB_SHARE_H

typedef struct share share;

/* rate: seconds of the serving thread a second for each name, over 0.
 * NULL when out of memory. */
share *share_new(double rate);
void share_free(share *s);

/* Seconds name must wait, at time now (pb__monotonic), before its next
 * request: 0 when it may go now. */
double share_wait(share *s, const char *name, double now);

/* Charges name the seconds its request took, ending at now: 0, or -1
 * when out of memory (the charge is then lost, and nothing else). */
int share_charge(share *s, const char *name, double now, double took);

#endif
