/*
 * share.h -- each agent's share of what the server has for all
 * (docs/api.md, "Each agent's share"): the serving thread's time (one
 * thread serves every request, so time one client spends is time every
 * other waits) and what requests add to the data folder.  Each name has
 * an allowance, refilled at `rate` a second up to `most`; a request is
 * charged what it took, after it ran, and a name whose allowance is
 * spent waits until it is not.  Used under the API's lock.
 */
#ifndef PB_SHARE_H
#define PB_SHARE_H

typedef struct share share;

/* rate: what each name gets back a second (seconds of the serving
 * thread, bytes), over 0; most: what it may save up, at least rate.
 * NULL when out of memory. */
share *share_new(double rate, double most);
void share_free(share *s);

/* Seconds name must wait, at time now (pb__monotonic), before its next
 * request: 0 when it may go now. */
double share_wait(share *s, const char *name, double now);

/* Charges name what its request took (seconds, bytes), ending at now:
 * 0, or -1 when out of memory (the charge is then lost, and nothing
 * else). */
int share_charge(share *s, const char *name, double now, double took);

#endif
