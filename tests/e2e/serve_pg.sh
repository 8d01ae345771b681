#!/bin/sh
# tests/e2e/serve.sh again with the cases in PostgreSQL (a throwaway
# cluster, tests/e2e/lib/pg.sh): the same requests, the same answers,
# and two servers sharing cases.
STORE=pg exec sh tests/e2e/serve.sh
