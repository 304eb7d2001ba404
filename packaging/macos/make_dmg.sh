#!/bin/sh
# Build crmdesk-<version>.dmg from the .app bundle PyInstaller made (macOS only: hdiutil).
#
#   python packaging/build.py app          # dist/crmdesk.app (the spec's BUNDLE step)
#   packaging/macos/make_dmg.sh [dist]     # dist/crmdesk-<version>.dmg
#
# The disk image holds crmdesk.app and a link to /Applications, so the user drags one onto the
# other. With CRMDESK_CODESIGN_IDENTITY set, the app is signed (hardened runtime) before it is
# packed and the image after; notarising (xcrun notarytool) is a release step of its own.
# This script cannot run on Linux; see docs/PACKAGING.md.
set -eu

cd "$(dirname "$0")/../.."
DIST=${1:-dist}
APP="$DIST/crmdesk.app"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' src/crmdesk/__init__.py)
DMG="$DIST/crmdesk-$VERSION.dmg"

if [ ! -d "$APP" ]; then
    echo "make_dmg: $APP is missing; run 'python packaging/build.py app' on macOS first" >&2
    exit 1
fi

if [ -n "${CRMDESK_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp \
        --sign "$CRMDESK_CODESIGN_IDENTITY" "$APP"
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "crmdesk $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO \
    -ov "$DMG"

if [ -n "${CRMDESK_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$CRMDESK_CODESIGN_IDENTITY" "$DMG"
fi
echo "built $DMG"
