#!/bin/sh
# Collects the wild YAML corpus for test/fixtures/yaml-wild/ by a fixed rule (not by whether a file passes):
#  - every .yml/.yaml file in the project's node_modules and in the global npm's node_modules;
#  - every .yml/.yaml file of pyenv (MIT) and of Debian's perl and python3-yaml docs on this machine;
#  - every 86th file (sorted by path) of the Google Cloud SDK (Apache-2.0);
# deduplicated by content hash (first path wins). Writes MANIFEST.tsv: fixture, source, path, licence.
set -eu
out=${1:?usage: collect-yaml-wild.sh OUTDIR}
mkdir -p "$out"
manifest="$out/MANIFEST.tsv"
printf 'fixture\tsource\tpath\tlicence\n' > "$manifest"
seen=$(mktemp)
add() { # source-label licence root relpath
  f="$3/$4"
  h=$(sha256sum "$f" | cut -c1-64)
  grep -qx "$h" "$seen" && return 0
  echo "$h" >> "$seen"
  ext=${4##*.}
  name=$(printf '%s--%s' "$1" "$4" | sed 's|^\./||; s|/\./|/|g; s|[/]|_|g; s|\.[^.]*$||')
  cp "$f" "$out/$name.$ext"
  printf '%s\t%s\t%s\t%s\n' "$name.$ext" "$1" "$4" "$2" >> "$manifest"
}
lic_of_pkg() { node -e 'try{const p=require(process.argv[1]+"/package.json");console.log(p.license||(p.licenses||[]).map((l)=>l.type).join(" or ")||"see package")}catch{console.log("see package")}' "$1"; }
for root in /work/main/node_modules /usr/lib/node_modules/npm/node_modules; do
  (cd "$root" && find -L . \( -name '*.yml' -o -name '*.yaml' \) -type f | LC_ALL=C sort) | while read -r p; do
    pkg=$(echo "$p" | sed 's|^\./||' | cut -d/ -f1); case $pkg in @*) pkg=$(echo "$p" | sed 's|^\./||' | cut -d/ -f1-2);; esac
    rel=${p#./$pkg/}
    add "npm-$(echo "$pkg" | tr / _)" "$(lic_of_pkg "$root/$pkg")" "$root/$pkg" "$rel"
  done
done
(cd /root/.pyenv && find . \( -name '*.yml' -o -name '*.yaml' \) -type f | LC_ALL=C sort) | while read -r p; do add pyenv MIT /root/.pyenv "${p#./}"; done
add perl-cpan "Artistic-or-GPL" /usr/share/perl/5.36.0/CPAN/Kwalify distroprefs.yml
add python3-yaml MIT /usr/share/doc/python3-yaml/examples/pygments-lexer example.yaml
(cd /usr/lib/google-cloud-sdk && find lib \( -name '*.yml' -o -name '*.yaml' \) -type f | LC_ALL=C sort | awk 'NR % 86 == 1') | while read -r p; do add gcloud-sdk Apache-2.0 /usr/lib/google-cloud-sdk "$p"; done
rm -f "$seen"
