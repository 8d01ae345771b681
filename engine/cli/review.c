/*
 * review.c -- `playbook review` (being written).
 */
#include "cli.h"

int cli_review(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "playbook review: not available yet\n");
    return EXIT_BAD;
}
