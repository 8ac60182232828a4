# The invariants of one photorigd session after a crash and a restart, for
# tests/soak/crash.sh. Input: the session's journal as an array of its
# complete lines (jq -s). Used as `include "crash_check";`.

# journal lines numbered, so that "before its set_end" can be asked
def numbered: to_entries | map(.value + {line: .key});

# the numbered lines of each set, in journal order, by set number: one pass,
# so that a session of thousands of lines is checked in well under a second
def by_set: map(select(.set != null)) | group_by(.set)
	| map({key: (.[0].set | tostring), value: sort_by(.line)}) | from_entries;

# every file a saved shot recorded: the original and its extra files
def saved_files:
	.[] | select(.ev == "file_saved")
	| {file, size, hash}, (.extra_files // [] | .[] | {file, size, hash});

# One line per broken invariant. $interrupted: the numbers of the sets that
# were open (begun, not ended) when photorigd was killed.
def violations($interrupted):
	numbered as $j
	| [$j[] | select(.ev == "set_begun") | .set] as $nums
	| (if $nums != [range(1; ($nums | length) + 1)] then
		"set numbers run \($nums | tostring), not 1..\($nums | length)" else empty end),
	  ([saved_files] | group_by(.file)[] | select(length > 1)
		| "\(.[0].file) journaled as saved \(length) times"),
	  ([saved_files] | group_by(.hash)[] | select(length > 1)
		| "\(map(.file) | join(", ")) hold the same bytes (\(.[0].hash))"),
	  ($j | by_set) as $sets
	  | ($nums | unique[] as $n
		| [$sets[$n | tostring][] | select(.ev != "set_begun")] as $ev
		| [$ev[] | select(.ev == "set_end")] as $ends
		| if ($ends | length) != 1 then "set \($n): \($ends | length) set_end lines, not 1"
		  else $ends[0] as $last
		  | [$sets[$n | tostring][] | select(.ev == "set_begun")][0] | [.shots[].camera] as $cams
		  | [$ev[] | select(.line < $last.line)] as $before
		  | [$cams[] as $c | select(any($before[]; .ev == "file_saved" and .camera == $c)
			| not) | $c] as $notsaved
		  | ($cams[] as $c
			| [$before[] | select(.camera == $c)] as $ce
			| ([$ce[] | select(.ev == "file_saved" or .ev == "file_failed")] | length) as $outcomes
			| ([$ce[] | select(.ev == "file_saved")] | length) as $saved
			| ([$ce[] | select(.ev | startswith("mask_"))] | length) as $masks
			| (if $outcomes != 1 then
				"set \($n), \($c): \($outcomes) file outcomes before set_end, not 1"
			   else empty end),
			  (if $masks != $saved then
				"set \($n), \($c): \($masks) mask outcomes for \($saved) saved file(s)"
			   else empty end)),
		    (if ($last.missing | sort) != ($notsaved | sort) then
			"set \($n): set_end names \($last.missing) as missing, the journal \($notsaved)"
		     else empty end),
		    (if $last.complete != ($notsaved == []) then
			"set \($n): complete is \($last.complete) with \($notsaved | length) camera(s) not saved"
		     else empty end),
		    (($last.interrupted // false) as $said | any($interrupted[]; . == $n) as $was
			| if $said != $was then
				"set \($n): interrupted is \($said), but the set was \(if $was then "" else "not " end)open when photorigd was killed"
			  else empty end)
		  end);

# The finished sets as the journal tells them, in the manifest's terms.
def journal_sets:
	numbered as $j
	| ($j | by_set) as $sets
	| $j[] | select(.ev == "set_end") as $last
	| $sets[$last.set | tostring] as $ev
	| [$ev[] | select(.ev == "set_begun")][0] as $b
	| {set: $last.set, complete: $last.complete, interrupted: ($last.interrupted // false),
	   shots: ([$b.shots[].camera as $c
		| [$ev[] | select(.camera == $c)] as $ce
		| ([$ce[] | select(.ev == "file_saved")] | last) as $s
		| ([$ce[] | select(.ev == "file_failed")] | last) as $f
		| ([$ce[] | select(.ev | startswith("mask_"))] | last) as $m
		| {camera: $c,
		   state: (if $s then "saved" elif $f and $f.missing then "missing"
			   elif $f then "failed" else "waiting" end),
		   file: $s.file, size: $s.size, hash: $s.hash,
		   mask: (if $m then $m.ev | ltrimstr("mask_") else "none" end)}]
		| sort_by(.camera))}
	| .missing = [.shots[] | select(.state != "saved") | .camera];

# The same, from manifest.json.
def manifest_sets:
	.sets[]
	| {set, complete, interrupted: (.interrupted // false),
	   shots: ([.shots[] | {camera, state, file, size, hash, mask}] | sort_by(.camera)),
	   missing: (.missing | sort)};
