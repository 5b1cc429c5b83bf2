#!/bin/bash
# usage: grid.sh label consensus aggregation [alpha] [rounds]
L=$1; C=$2; A=$3; AL=${4:-0.1}; R=${5:-10}
nice node scratch/exp.mjs $L "$C" "$A" clean $AL 0 1,2,3 $R 2>&1 | grep -v "^\s*$" | tail -3
nice node scratch/exp.mjs $L "$C" "$A" sign-flip,label-flip,ipm,adaptive,alie,min-max,gaussian,min-sum $AL 0.45 1,2 $R 2>&1 | tail -16
