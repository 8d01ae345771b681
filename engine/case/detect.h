/*
 * detect.h -- where an utterance becomes a typed event (internal).
 */
#ifndef PB_DETECT_H
#define PB_DETECT_H

#include "case.h"

/* Runs the detectors on recorded event ev, the case's last: what they
 * detect follows it. */
void pb__detect(pb_case *c, size_t ev);

#endif
