"""`make rollback`: serve the previous deployable model again, recording who and why (05_client_api's `rollback`).

Usage: python tools/rollback.py rollback --why '...' [--user NAME] [--flow NAME]. Without a previous deployable
run it fails with a clear message and changes nothing.
"""
import argparse
import sys

from regression_course import config

config.configure_metaflow()  # before the registry imports metaflow
from regression_course.registry import rollback, rollback_log  # noqa: E402


def main(argv:list[str]|None=None):
    "The registry's command line: `python tools/rollback.py rollback --why '...' [--user NAME] [--flow NAME]`"
    parser = argparse.ArgumentParser(prog='python tools/rollback.py', description="The course's model registry")
    commands = parser.add_subparsers(dest='command', required=True)
    back = commands.add_parser('rollback', help='serve the previous deployable run again')
    back.add_argument('--why', required=True)
    back.add_argument('--user')
    back.add_argument('--flow', default=config.FLOW_NAME)
    args = parser.parse_args(argv)
    if not args.why.strip():
        sys.exit('say why: make rollback WHY="what is wrong with the served model"')
    try:
        record = rollback(args.why, args.user, args.flow)
    except (RuntimeError, ValueError) as e:
        sys.exit(f'rollback failed: {e}')
    print(f"rolled back {record['flow']}: run {record['from_run']} -> run {record['to_run']} "
          f'(recorded in {rollback_log()})')


if __name__ == '__main__':
    main(sys.argv[1:])
