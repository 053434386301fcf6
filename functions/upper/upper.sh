#!/bin/sh
# Reads all of stdin, writes it upper-cased to stdout; byte counts go to stderr.
set -eu
input=$(cat; printf x)
input=${input%x}
printf '%s' "$input" | tr '[:lower:]' '[:upper:]'
printf 'upper: converted %s bytes\n' "$(printf '%s' "$input" | wc -c | tr -d ' ')" >&2
