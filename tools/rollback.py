"""`make rollback`: serve the previous deployable model again, recording who and why (05_client_api's `rollback`).

Usage: python tools/rollback.py rollback --why '...' [--user NAME] [--flow NAME]. Without a previous deployable
run it fails with a clear message and changes nothing.
"""
import sys

from regression_course.config import FLOW_NAME
from regression_course.registry import ROLLBACK_LOG, rollback


def main(argv:list[str]|None=None):
    "The registry's command line: `python tools/rollback.py rollback --why '...' [--user NAME] [--flow NAME]`"
    import argparse
    parser = argparse.ArgumentParser(prog='python tools/rollback.py', description="The course's model registry")
    back = parser.add_subparsers(dest='command', required=True).add_parser('rollback', help='serve the previous deployable run again')
    back.add_argument('--why', required=True); back.add_argument('--user'); back.add_argument('--flow', default=FLOW_NAME)
    args = parser.parse_args(argv)
    try: record = rollback(args.why, args.user, args.flow)
    except (RuntimeError, ValueError) as e: raise SystemExit(f'rollback failed: {e}') from None
    print(f"rolled back {record['flow']}: run {record['from_run']} -> run {record['to_run']} (recorded in {ROLLBACK_LOG})")

if __name__ == '__main__':
    main(sys.argv[1:])
