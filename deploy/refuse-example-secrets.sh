#!/bin/sh
# Every service of docker-compose.yml starts through this: it refuses to start
# (exit 78, EX_CONFIG) when a variable of its environment holds one of the
# published example secrets of deploy/.env.example, or when a secret is empty
# (a variable named like a password, secret or Fernet key, or a URL with an
# empty password); otherwise it runs the service's own command.
#
#   refuse-example-secrets.sh COMMAND [ARG...]
#
# deploy/.env.example sits beside this script (in the image at
# /opt/resultsnight/deploy/, bind-mounted into the database and Redis
# containers at /opt/resultsnight-check/). Only variable NAMES are printed,
# never values. POSIX sh: the Postgres and Redis images have no bash or Python
# to rely on.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
example="$here/.env.example"
if [ ! -r "$example" ]; then
    echo "refuse-example-secrets: cannot read $example: refusing to start unchecked" >&2
    exit 78
fi
if [ $# -eq 0 ]; then
    echo "refuse-example-secrets: no command to run" >&2
    exit 64
fi

refused=0
# The example's secret values, one per line (names saying password, secret or key).
examples=$(sed -n 's/^[[:space:]]*\([A-Z0-9_]*\(PASSWORD\|SECRET\|FERNET_KEY\|_KEY\)\)=\(..*\)$/\3/p' "$example")
nl='
'
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u); do
    value=$(printenv "$name" || true)
    case "$name" in
        *PASSWORD* | *SECRET* | *FERNET*)
            if [ -z "$value" ]; then
                echo "refuse-example-secrets: $name is empty: set it in .env (see deploy/.env.example)" >&2
                refused=1
            fi ;;
    esac
    case "$value" in
        *://*:@*)
            echo "refuse-example-secrets: $name is a URL with an empty password" >&2
            refused=1 ;;
    esac
    old_ifs=$IFS
    IFS=$nl
    for published in $examples; do
        case "$value" in
            *"$published"*)
                echo "refuse-example-secrets: $name holds a published example value from deploy/.env.example: replace it with a fresh secret" >&2
                refused=1
                break ;;
        esac
    done
    IFS=$old_ifs
done
if [ "$refused" -ne 0 ]; then
    exit 78
fi
exec "$@"
