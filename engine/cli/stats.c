/*
 * stats.c -- `playbook stats` (being written).
 */
#include "cli.h"

int cli_stats(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "playbook stats: not available yet\n");
    return EXIT_BAD;
}
