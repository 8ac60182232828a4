# photorig export --image raw: RAW+JPEG shots hand their RAW file to each
# tool, with the JPEG's mask named for the RAW file as that tool expects and
# scaled to the size libraw develops the RAW to. The session is made by
# photorigd from the sim rig (JPEG only); each masked shot of cam01 and of
# cam02's set 1 then gets a RAW beside its JPEG, a small valid DNG larger
# than the JPEG (tests/tools/make_dng.py), recorded in the manifest's
# extra_files as photorigd records the RAW of a RAW+JPEG capture.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/daemon.inc"
: "${PHOTORIG_BUILD:?PHOTORIG_BUILD must name the build tree}"
PROBE=$PHOTORIG_BUILD/tests/img_probe
RAWP=$PHOTORIG_BUILD/tests/raw_probe
DIGEST=$PHOTORIG_BUILD/tests/file_digest
MKDNG=$PHOTORIG_SOURCE/tests/tools/make_dng.py
for x in "$PROBE" "$RAWP" "$DIGEST"; do
	[ -x "$x" ] || { echo "no $x: build the img_probe, raw_probe and file_digest targets"; exit 1; }
done

rig_dir rig
daemon_start || { fail "daemon start"; finish; exit 1; }
for c in cam01 cam02; do
	expect_status 0 "plate $c" -- pr plate --frames 3 --camera "$c"
done
expect_status 0 "session start" -- pr session start boot
expect_status 3 "two capture sets (cam03, cam04 without plates)" -- pr capture --count 2
S=$RIG/sessions/boot
settled() { [ "$(jq '[.sets[].shots[] | select(.mask == "written" or .mask == "skipped")] | length' "$S/manifest.json" 2>/dev/null)" = 8 ]; }
wait_for 60 settled || fail "masks not settled: $(jq -c '[.sets[].shots[] | .mask]' "$S/manifest.json")"
daemon_stop

# the RAW: 3/2 of the JPEG's size (even, as a CFA needs), so a mask left at
# the JPEG's size is wrong
read -r JW JH < <("$PROBE" size "$S/cam01/cam01_0001.jpg" | tr x ' ')
RW=$(((JW * 3 / 2) & ~1)); RH=$(((JH * 3 / 2) & ~1))
python3 "$MKDNG" "$TMP/shot.dng" "$RW" "$RH" || { fail "make_dng"; finish; exit 1; }
[ "$("$RAWP" "$TMP/shot.dng")" = "${RW}x${RH}" ] && pass "libraw opens the DNG at ${RW}x${RH} (JPEG ${JW}x${JH})" ||
	fail "libraw reads the DNG as '$("$RAWP" "$TMP/shot.dng")', written ${RW}x${RH}"
RAWS="cam01/cam01_0001.dng cam01/cam01_0002.dng cam02/cam02_0001.dng"
m=$(cat "$S/manifest.json")
for r in $RAWS; do
	cp "$TMP/shot.dng" "$S/$r"
	read -r hash size _ < <("$DIGEST" "$S/$r")
	jpg=${r%.dng}.jpg
	m=$(jq --arg j "$jpg" --arg r "$r" --arg h "$hash" --argjson n "$size" \
		'(.sets[].shots[] | select(.file == $j)) += {extra_files: [{file: $r, size: $n, hash: $h, arrive_ns: 1}]}' <<<"$m")
done
printf '%s\n' "$m" >"$S/manifest.json"

tree() { (cd "$1" && find . -mindepth 1 -type f | sed 's|^\./||' | sort); }
same_tree() { # DIR WANT WHAT
	local got; got=$(tree "$1")
	if [ "$got" = "$(sort <<<"$2")" ]; then pass "$3"
	else fail "$3: $(diff <(sort <<<"$2") <(printf '%s\n' "$got") | tr '\n' ' ')"; fi
}
E=$TMP/exp
# check_raw TOOL WANT-TREE MASK-OF-NAME: export, exact tree, each RAW a hard
# link to the session's, each mask of libraw's size and the JPEG's mask scaled
check_raw() {
	local tool=$1 want=$2 fmt=$3 r
	expect_status 0 "export --image raw for $tool" -- "$P" export "$S" --for "$tool" --out "$E/$tool" --image raw
	expect_output "exported 3 photos" "$tool: 3 RAW photos"
	expect_output "left out: set 2 cam02 cam02/cam02_0002.jpg: no RAW file" "$tool: the shot without a RAW is left out and listed"
	same_tree "$E/$tool" "$want" "$tool: tree exact (RAW files, RAW-named masks)"
	local ok=1 seen=";"
	for r in $RAWS; do
		local c=${r%%/*} n=${r##*/}; local st=${n%.dng}
		local img mask
		img=$(find "$E/$tool" -name "$n" -type f)
		mask=$E/$tool/$(printf '%s' "$fmt" | sed "s/%c/$c/g; s/%n/$n/g; s/%s/$st/g")
		[ "$(stat -c %i "$img" 2>/dev/null)" = "$(stat -c %i "$S/$r")" ] || { ok=0; echo "  $n: not the session's RAW"; }
		local got; got=$("$PROBE" size "$mask" 2>&1)
		[ "$got" = "$("$RAWP" "$S/$r")" ] || { ok=0; echo "  $mask: $got, libraw develops $r to $("$RAWP" "$S/$r")"; }
		# nearest neighbour: the RAW mask at a point is the JPEG mask at the
		# same relative point (the centres of a 5x5 grid)
		local jm=$S/$c/masks/$st.png i k
		for i in 1 3 5 7 9; do for k in 1 3 5 7 9; do
			local a b
			a=$("$PROBE" pixel "$mask" $((RW * i / 10)) $((RH * k / 10)) 2>&1)
			b=$("$PROBE" pixel "$jm" $((JW * i / 10)) $((JH * k / 10)) 2>&1)
			[ "$a" = "$b" ] || { ok=0; echo "  $mask at $i/10,$k/10: '$a', JPEG mask '$b'"; }
			seen="$seen${b%% *};"
		done; done
	done
	# the grid must see both kept and left-out pixels, or the comparison proves nothing
	case "$seen" in *"0;"*) ;; *) ok=0; echo "  no mask-0 pixel on the grid";; esac
	case "$seen" in *"255;"*) ;; *) ok=0; echo "  no mask-255 pixel on the grid";; esac
	[ $ok = 1 ] && pass "$tool: RAW files linked, masks of libraw's size matching the JPEG's masks" ||
		fail "$tool: RAW files or masks"
}
check_raw realitycapture "$(printf 'README.txt\ncam01_0001.dng\ncam01_0001.dng.mask.png\ncam01_0002.dng\ncam01_0002.dng.mask.png\ncam02_0001.dng\ncam02_0001.dng.mask.png\n')" '%n.mask.png'
check_raw colmap "$(printf 'README.txt\nimages/cam01/cam01_0001.dng\nimages/cam01/cam01_0002.dng\nimages/cam02/cam02_0001.dng\nmasks/cam01/cam01_0001.dng.png\nmasks/cam01/cam01_0002.dng.png\nmasks/cam02/cam02_0001.dng.png\n')" 'masks/%c/%n.png'
check_raw metashape "$(printf 'README.txt\nimages/cam01_0001.dng\nimages/cam01_0002.dng\nimages/cam02_0001.dng\nmasks/cam01_0001_mask.png\nmasks/cam01_0002_mask.png\nmasks/cam02_0001_mask.png\n')" 'masks/%s_mask.png'
check_raw meshroom "$(printf 'README.txt\nimages/cam01_0001.dng\nimages/cam01_0002.dng\nimages/cam02_0001.dng\nmasks/cam01_0001.png\nmasks/cam01_0002.png\nmasks/cam02_0001.png\n')" 'masks/%s.png'
grep -q "RAW files" "$E/colmap/README.txt" && pass "README says the photos are RAW files" || fail "README: $(head -5 "$E/colmap/README.txt")"

# a RAW that libraw cannot read: a clear error naming it, no export made
echo "not a raw" >"$S/cam01/cam01_0002.dng"
expect_status 1 "an unreadable RAW fails the export" -- "$P" export "$S" --for meshroom --out "$E/bad" --image raw
expect_output "cam01_0002.dng: not a RAW file libraw can read" "names the file and why"
[ ! -e "$E/bad" ] && pass "no export folder for a failed export" || fail "$E/bad was made"
finish
