/*
 * render_junit.h -- replays as JUnit XML, for CI (internal).
 */
#ifndef PB_RENDER_JUNIT_H
#define PB_RENDER_JUNIT_H

#include <stdio.h>

#include "playbook.h"

/* PB_IO when a write fails. */
pb_status pb__render_junit(FILE *f, pb_replay *const *replays, size_t n);

#endif
