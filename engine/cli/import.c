/*
 * import.c -- `playbook import` (being written).
 */
#include "cli.h"

int cli_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "playbook import: not available yet\n");
    return EXIT_BAD;
}
