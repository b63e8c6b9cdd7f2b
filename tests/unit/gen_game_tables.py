#!/usr/bin/env python3
"""Write tests/unit/game_tables.inc: the expected default advancement of
rules.md section 1.4, computed by the spec's own reference model
(rules-tables.py, kept beside rules.md), as a C table for check_game.c.

Regenerate (the output is committed, so the build needs no python):

    python3 tests/unit/gen_game_tables.py ../shared/rules-tables.py \
        > tests/unit/game_tables.inc

Each row: outcome, start bases, outs, infield, outfield, hit_and_run, hit
location, error_bases, send (flyball_bq: runner on third sent, safe),
expected end of half, bases after, outs added, runs.
"""

import importlib.util
import sys

STATES = ['000', '100', '010', '001', '110', '101', '011', '111']
GB_LOCS = ('1B', '2B', 'SS', '3B', 'P', 'C')


def load(path):
    spec = importlib.util.spec_from_file_location('rules_tables', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def mask(code):
    """'101' -> C mask with bit b for base b."""
    bits = [f'BIT({i + 1})' for i, c in enumerate(code) if c == '1']
    return ' | '.join(bits) if bits else '0'


def row(out, o, s, outs, res, inf='G_IF_NORMAL', of='G_OF_NORMAL', hnr=0,
        loc='G_LOC_NONE', eb=0, send=0):
    if res is None:
        return
    code, added, runs = res
    end = 1 if code == 'END' else 0
    after = '0' if end else mask(code)
    out.append(f'\t{{ {o}, {mask(s)}, {outs}, {inf}, {of}, {hnr}, {loc}, '
               f'{eb}, {send}, {end}, {after}, {added}, {runs} }},')


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '../shared/rules-tables.py'
    rt = load(path)
    out = []
    infields = (('normal', 'G_IF_NORMAL'), ('normal', 'G_IF_BACK'),
                ('in', 'G_IF_IN'), ('double_play', 'G_IF_DOUBLE_PLAY'))
    for s in STATES:
        for o in (0, 1, 2):
            # groundballs: every depth, hit-and-run, location
            for k in 'abc':
                for py_inf, c_inf in infields:
                    for hnr in (0, 1):
                        for loc in GB_LOCS:
                            res = rt.groundball(k, s, o, infield=py_inf,
                                                loc=loc, hit_and_run=bool(hnr))
                            row(out, f'G_GROUNDBALL_{k.upper()}', s, o, res,
                                inf=c_inf, hnr=hnr, loc=f'G_LOC_{loc}')
            # flyballs: outfield depth, and sending R3 on a fly B?
            fly = (('a', 'G_FLYBALL_A'), ('b', 'G_FLYBALL_B'),
                   ('bq', 'G_FLYBALL_BQ'), ('c', 'G_FLYBALL_C'),
                   ('b', 'G_BP_FLYOUT'))
            for k, c_o in fly:
                for py_of, c_of in (('normal', 'G_OF_NORMAL'),
                                    ('normal', 'G_OF_BACK'),
                                    ('in', 'G_OF_IN')):
                    row(out, c_o, s, o, rt.flyball(k, s, o, outfield=py_of),
                        of=c_of, loc='G_LOC_CF')
                    eff = k
                    if py_of == 'in':
                        eff = {'a': 'b', 'b': 'bq', 'bq': 'c', 'c': 'c'}[k]
                    if eff == 'bq' and o < 2 and s[2] == '1':
                        row(out, c_o, s, o,
                            rt.flyball(k, s, o, outfield=py_of, send=True),
                            of=c_of, loc='G_LOC_CF', send=1)
            # everything else (rules-tables.py "simple"), with its aliases
            simple = (
                ('strikeout', 'G_STRIKEOUT', 'G_LOC_NONE'),
                ('strikeout', 'G_LINEOUT', 'G_LOC_SS'),
                ('strikeout', 'G_POPOUT', 'G_LOC_2B'),
                ('strikeout', 'G_FOULOUT', 'G_LOC_1B'),
                ('strikeout', 'G_BP_LINEOUT', 'G_LOC_LF'),
                ('lineout_max', 'G_LINEOUT_MAX', 'G_LOC_SS'),
                ('sac_bunt', 'G_SAC_BUNT', 'G_LOC_P'),
                ('fielders_choice', 'G_FIELDERS_CHOICE', 'G_LOC_SS'),
                ('walk', 'G_WALK', 'G_LOC_NONE'),
                ('walk', 'G_INTENTIONAL_WALK', 'G_LOC_NONE'),
                ('walk', 'G_HBP', 'G_LOC_NONE'),
                ('walk', 'G_CATCHER_INTERFERENCE', 'G_LOC_NONE'),
                ('single_1', 'G_SINGLE_1', 'G_LOC_NONE'),
                ('single_1', 'G_BP_SINGLE', 'G_LOC_NONE'),
                ('single_2', 'G_SINGLE_2', 'G_LOC_CF'),
                ('single_uncapped', 'G_SINGLE_UNCAPPED', 'G_LOC_RF'),
                ('double_2', 'G_DOUBLE_2', 'G_LOC_NONE'),
                ('double_3', 'G_DOUBLE_3', 'G_LOC_LF'),
                ('double_uncapped', 'G_DOUBLE_UNCAPPED', 'G_LOC_LF'),
                ('triple', 'G_TRIPLE', 'G_LOC_RF'),
                ('homerun', 'G_HOMERUN', 'G_LOC_NONE'),
                ('homerun', 'G_BP_HOMERUN', 'G_LOC_LF'),
                ('wild_pitch', 'G_WILD_PITCH', 'G_LOC_NONE'),
                ('wild_pitch', 'G_PASSED_BALL', 'G_LOC_NONE'),
                ('wild_pitch', 'G_BALK', 'G_LOC_NONE'),
            )
            for py, c_o, loc in simple:
                row(out, c_o, s, o, rt.simple(py, s, o), loc=loc)
            for e in (1, 2, 3):
                row(out, 'G_ERROR', s, o, rt.simple(f'error_{e}', s, o),
                    loc='G_LOC_SS', eb=e)
    print('/* Generated by tests/unit/gen_game_tables.py from rules-tables.py;')
    print(' * do not edit.  See that script for how to regenerate. */')
    print(f'#define GAME_TABLE_ROWS {len(out)}')
    print('static const struct table_row table_rows[GAME_TABLE_ROWS] = {')
    print('\n'.join(out))
    print('};')


if __name__ == '__main__':
    main()
