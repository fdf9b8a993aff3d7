#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the frame fuzzer's seed corpus into a directory.

Each seed is one input in the harness's format (test/fuzz/fuzz_ops.c has
the grammar): three configuration bytes (four in the two-stack mode),
then operations. The seeds walk
the paths a peer takes on purpose (every state's usual next segment,
resets, retransmissions, timeouts, SYN floods, cookies, ARP, malformed
IPv4/TCP headers; two stacks on one port steering segments and ARP
copies to each other), so that the fuzzer starts deep instead of finding
its way past checksums and sequence windows by chance.

    gen_corpus.py OUTDIR
"""
import os
import struct
import sys

# op kinds
TCP, RAW, ARP, CLOCK, APP, STEP, REPEAT, CANNED = range(8)

# slots (fuzz_stack.c slot_init / world_connections)
SYN_SENT, EST_ACTIVE, SYN_RECV, EST, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, \
    CLOSING, CLOSE_WAIT, LAST_ACK, EST_DATA, EST_NOOPTS, EST_FAR, \
    FRESH1, FRESH2, FRESH3 = range(16)
ALL_SLOTS = list(range(16))
# the two-stack mode's slots of stack B (fuzz_stack.c world_connections_b):
# an op names one with bit 3 of its argument and the slot byte % 8
B_SYN_SENT, B_EST, B_EST_FAR, B_EST_NOOPTS, B_EST_DATA, B_FIN_WAIT2, \
    B_FRESH1, B_FRESH2 = (0x100 + i for i in range(8))
B_WORLD = [B_SYN_SENT, B_EST, B_EST_FAR, B_EST_NOOPTS, B_EST_DATA,
           B_FIN_WAIT2]
B_ALL = B_WORLD + [B_FRESH1, B_FRESH2]

# canned segments (op 7, A % 8)
C_ACK, C_FIN, C_DATA, C_RST, C_SYN, C_SYNACK, C_RSTACK, C_BADTSECR = range(8)

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = (1 << i for i in range(8))


def cfg(c0=0, c1=0, c2=0):
    """The three configuration bytes (fuzz_ops.c)."""
    return bytes([c0, c1, c2])


def mq(c0=0, c1=0, c2=0, c3=0):
    """The two-stack mode: cfg2 bit 4, then cfg3 (fuzz_ops.c)."""
    return bytes([c0, c1, c2 | 0x10, c3])


def op(kind, arg=0):
    return bytes([(arg << 3) | kind])


def slot_arg(slot):
    """An op's slot byte, and its argument's bit for B's slots."""
    return (8 if slot & 0x100 else 0), slot & 0xff


def canned(slot, what, extra=b""):
    b, sb = slot_arg(slot)
    return op(CANNED, what | b) + bytes([sb]) + extra


def clock(ms):
    """Advance about @ms milliseconds: (1 + byte) << shift."""
    shift = 0
    while ms > 256 << shift:
        shift += 1
    byte = max(0, min(255, (ms >> shift) - 1))
    return op(CLOCK, shift) + bytes([byte])


def step(ms):
    """Advance @ms (0..31) milliseconds; 0 only polls."""
    assert 0 <= ms < 32
    return op(STEP, ms)


def app(slot, action, extra=b""):
    b, sb = slot_arg(slot)
    return op(APP, action | b) + bytes([sb]) + extra


def s8(v):
    return struct.pack("b", v)


def u16(v):
    return struct.pack(">H", v & 0xffff)


def u32(v):
    return struct.pack(">I", v & 0xffffffff)


def tcp(slot, flags, seqmode=0, ackmode=0, win=1024, opts=b"\x00",
        paylen=0, cmd=0, ipmode=0, hold=False, csum_flags=0,
        seq_extra=b"", ack_extra=b"", ip_extra=b"", slot_extra=b""):
    """A structured TCP segment (op 0); opts starts with the optmode byte."""
    b, sb = slot_arg(slot)
    arg = (1 if hold else 0) | (csum_flags << 1) | b
    out = op(TCP, arg) + bytes([sb]) + slot_extra + bytes([flags])
    out += bytes([seqmode & 0xff]) + seq_extra
    out += bytes([ackmode & 0xff]) + ack_extra + u16(win) + opts
    out += bytes([paylen])
    if paylen:
        out += bytes([cmd])
    out += bytes([ipmode]) + ip_extra
    return out


def delta_mode(base, delta):
    """seqmode/ackmode byte: base 0-3, a small signed delta (-16..15)."""
    return (base & 3) | ((delta & 0x1f) << 3)


def ts_opts(dval=0, decr=0):
    return bytes([1]) + s8(dval) + s8(decr)


def raw_opts(data):
    return bytes([3, len(data)]) + data


def syn_opts(mss, ws=7, sack=True, ts=True, echo=False, dval=0):
    mode = 2 | (0x10 if sack else 0) | (0x20 if ts else 0) | \
        (0x40 if echo else 0)
    return bytes([mode]) + u16(mss) + bytes([ws]) + s8(dval)


def raw(data, fix_eth=True, fix_ip=True, fix_tcp=True, split=False,
        hold=False):
    arg = (1 if hold else 0) | (2 if fix_eth else 0) | \
        (4 if fix_ip else 0) | (8 if fix_tcp else 0) | (16 if split else 0)
    return op(RAW, arg) + u16(len(data)) + data


def arp(opcode, sip, tip, mac=0, unicast=False, bad_len=None, hold=False):
    arg = (1 if hold else 0) | (2 if unicast else 0) | \
        (4 if bad_len else 0)
    out = op(ARP, arg) + bytes([opcode, sip, tip, mac])
    if bad_len:
        out += bytes(bad_len)
    return out


def ipv4(src, dst, payload, proto=6, ihl=5, frag=0x4000, opts=b""):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) +
                      len(payload), 0x1234, frag, 64, proto, 0,
                      bytes(src), bytes(dst))
    return hdr + opts + payload


def eth(payload, etype=0x0800):
    return bytes(6) + bytes(6) + struct.pack(">H", etype) + payload


def tcp_hdr(sport, dport, seq, ack, flags, doff=5, win=1024, opts=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, doff << 4,
                       flags, win, 0, 0) + opts


OUR = (198, 18, 0, 1)
PEER = (198, 18, 0, 2)


def seeds():
    s = {}
    base = cfg(0x00, 0x00)
    # every state's usual next segments from the peer
    for slot in ALL_SLOTS:
        for what in (C_ACK, C_FIN, C_DATA, C_RST, C_SYN, C_RSTACK,
                     C_BADTSECR):
            extra = b"\x07" if what == C_DATA else b""
            s[f"state{slot:02d}_canned{what}"] = \
                base + canned(slot, what, extra) + step(31)
    # the handshake the active side waits for
    s["synsent_synack"] = base + canned(SYN_SENT, C_SYNACK, b"\xb6") + \
        canned(SYN_SENT, C_DATA, b"\x00")
    s["synsent_synack_tiny_mss"] = base + canned(SYN_SENT, C_SYNACK, b"\x01")
    # retransmissions, backoff and timeouts in each state
    s["timers_short"] = base + clock(1000) + clock(3000) + clock(7000)
    s["timers_long"] = base + b"".join(clock(60000) for _ in range(12))
    s["timers_days"] = base + clock(3 * 86400 * 1000) + canned(EST, C_ACK)
    # data both ways, echo and commands (cfg1 bit 6: the app echoes)
    echo = cfg(0x00, 0x40)
    s["echo_data"] = echo + canned(EST, C_DATA, b"\x00") + \
        canned(EST, C_ACK) + canned(EST, C_DATA, b"\x06") + step(10) + \
        canned(EST, C_ACK) + clock(300)
    s["echo_close"] = echo + canned(EST, C_DATA, b"\x04") + \
        canned(EST, C_ACK) + canned(EST, C_FIN)
    s["echo_abort"] = echo + canned(EST_ACTIVE, C_DATA, b"\x05") + \
        canned(EST_ACTIVE, C_ACK)
    s["close_on_fin"] = cfg(0x00, 0x80) + canned(EST, C_FIN) + \
        canned(EST, C_ACK) + clock(200)
    s["data_acked_partly"] = base + tcp(EST_DATA, ACK,
                                        ackmode=delta_mode(2, 0) | 4,
                                        ack_extra=u16(1000),
                                        opts=ts_opts()) + \
        clock(1000) + canned(EST_DATA, C_ACK)
    s["data_window_zero"] = base + tcp(EST_DATA, ACK, win=0,
                                       opts=ts_opts()) + clock(2000) + \
        tcp(EST_DATA, ACK, win=4000, opts=ts_opts())
    s["sack_blocks"] = base + tcp(EST_DATA, ACK, ackmode=2,
                                  opts=bytes([4, 0, 0, 2, 0, 5, 3, 10, 12]))
    # app calls
    s["app_send_close"] = base + app(EST, 0, b"\xff") + app(EST, 1) + \
        canned(EST, C_ACK) + canned(EST, C_FIN)
    s["app_abort_each"] = base + b"".join(app(i, 2) for i in ALL_SLOTS)
    s["app_close_each"] = base + b"".join(app(i, 1) for i in ALL_SLOTS)
    s["app_connect"] = base + app(FRESH1, 3, b"\x05" + u16(9000)) + \
        canned(FRESH1, C_SYNACK, b"\xb6") + canned(FRESH1, C_DATA, b"\x00")
    s["app_connect_far"] = base + app(FRESH2, 3, b"\xc8" + u16(80)) + \
        clock(5000)
    s["app_connect_unanswered_arp"] = cfg(0x00, 0x10) + \
        app(FRESH2, 3, b"\x30" + u16(80)) + clock(1000) + clock(1000) + \
        clock(2000)
    s["app_listen_unlisten"] = base + app(0, 5, u16(80)) + \
        canned(SYN_RECV, C_ACK) + app(0, 4, u16(80)) + \
        canned(FRESH3, C_SYN) + app(0, 5, u16(8080))
    # knobs through pmtcp_sysctl_set() (fuzz_ops.c op_app: a list of
    # names; bit 7 of the selector multiplies the value by 1000)
    s["app_sysctl"] = base + app(0, 7, b"\x00" + u16(2)) + \
        canned(FRESH1, C_SYN) + app(0, 7, b"\x84" + u16(2)) + \
        app(0, 7, b"\x08" + u16(1000)) + canned(EST_DATA, C_ACK) + \
        clock(10000)
    s["app_sysctl_min_mss"] = base + app(0, 7, b"\x08" + u16(536)) + \
        canned(SYN_SENT, C_SYNACK, b"\x01") + app(SYN_SENT, 0, b"\xff")
    # SYN floods, the SYN queue, cookies
    s["syn_flood"] = cfg(0x80, 0x00) + canned(FRESH1, C_SYN) + \
        bytes([REPEAT, 200]) + canned(FRESH2, C_SYN)
    s["cookies_always"] = cfg(0x02, 0x00) + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK) + canned(FRESH1, C_DATA, b"\x00")
    s["cookies_no_ts"] = cfg(0x06, 0x00) + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK)
    s["cookie_bad"] = cfg(0x02, 0x00) + canned(FRESH2, C_ACK)
    # TIME_WAIT: reopened by a SYN, tw_reuse for connect
    s["timewait_syn"] = base + canned(TIME_WAIT, C_SYN) + \
        canned(TIME_WAIT, C_ACK)
    s["timewait_reuse"] = cfg(0x40, 0x00) + clock(2000) + \
        b"".join(app(FRESH1, 3, b"\x02" + u16(20006)) for _ in range(3))
    # an active connection into TIME_WAIT, then connect() to the same
    # peer and port again: with 4 ports and tcp_tw_reuse, the TIME_WAIT
    # 4-tuple is taken over (tcp_twsk_unique)
    active_tw = app(EST_ACTIVE, 1) + canned(EST_ACTIVE, C_ACK) + \
        canned(EST_ACTIVE, C_FIN) + clock(2000)
    s["timewait_active_reuse"] = cfg(0xc0) + active_tw + \
        b"".join(app(FRESH1 + i % 3, 3, b"\x02" + u16(20001))
                 for i in range(4)) + canned(FRESH1, C_SYNACK, b"\xb6")
    s["timewait_active_noreuse"] = cfg(0x80) + active_tw + \
        b"".join(app(FRESH1 + i % 3, 3, b"\x02" + u16(20001))
                 for i in range(5))
    # the port stops taking frames: its ring, then the stack's batch fill
    s["tx_stall"] = cfg() + step(24) + canned(FRESH1, C_SYN) + \
        bytes([REPEAT, 255]) + bytes([REPEAT, 255]) + bytes([REPEAT, 255]) + \
        step(25) + canned(EST, C_DATA, b"\x00")
    s["tx_stall_timers"] = cfg() + step(24) + clock(1000) + clock(3000) + \
        app(EST, 0, b"\xff") + step(25) + clock(1000)
    # the third configuration byte
    s["rx_ring_run_once"] = cfg(0, 0, 1) + canned(EST, C_DATA, b"\x00") + \
        tcp(EST, ACK | PSH, opts=ts_opts(), paylen=10, cmd=0, hold=True) + \
        tcp(EST, ACK | PSH, opts=ts_opts(), paylen=10, cmd=0) + \
        canned(FRESH1, C_SYN)
    s["no_gateway"] = cfg(0, 0, 2) + tcp(FRESH1 | 0x20, SYN,
                                         slot_extra=u32(0xc6130506),
                                         opts=syn_opts(1460)) + \
        app(FRESH2, 3, b"\xc8" + u16(80))
    s["small_pool"] = cfg(0, 0x40, 4) + app(EST, 0, b"\xff") + \
        app(EST_ACTIVE, 0, b"\xff") + canned(EST, C_DATA, b"\x06") + \
        canned(FRESH1, C_SYN) + bytes([REPEAT, 100]) + clock(1000)
    s["hostile_app"] = cfg(0, 0, 8) + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK) + canned(FRESH2, C_SYN) + \
        canned(FRESH2, C_ACK) + canned(FRESH3, C_SYN) + \
        canned(FRESH3, C_ACK) + canned(EST, C_FIN) + \
        canned(EST, C_DATA, b"\x05") + app(FRESH1, 3, b"\x02" + u16(9001)) + \
        canned(FRESH1, C_SYNACK, b"\xb6")
    s["small_tables"] = cfg(0x80, 0x00) + \
        b"".join(app(FRESH1 + i % 3, 3, bytes([2 + i]) + u16(7000 + i))
                 for i in range(8))
    # options the stack must survive
    for name, o in {
        "opt_mss1_ts": syn_opts(1, 7, True, True),
        "opt_mss12_ts": syn_opts(12, 7, True, True),
        "opt_mss0": syn_opts(0, 7),
        "opt_mss65535_ws14": syn_opts(65535, 14),
        "opt_ws255": syn_opts(1460, 255 - 1),
        "opt_truncated": raw_opts(bytes([2, 4, 5])),
        "opt_len0": raw_opts(bytes([8, 0, 1, 1])),
        "opt_len1": raw_opts(bytes([3, 1])),
        "opt_ts_short": raw_opts(bytes([8, 6, 0, 0, 0, 1])),
        "opt_eol_first": raw_opts(bytes([0, 2, 4, 5, 0xb4])),
        "opt_many_nops": raw_opts(bytes([1] * 40)),
        "opt_unknown": raw_opts(bytes([0xfe, 6, 1, 2, 3, 4, 30, 2])),
        "opt_sack_syn": raw_opts(bytes([4, 2, 5, 10]) + bytes(8)),
    }.items():
        s["syn_" + name] = base + tcp(FRESH1, SYN, opts=o, win=64240) + \
            canned(FRESH1, C_ACK) + canned(FRESH1, C_DATA, b"\x00")
        s["est_" + name] = base + tcp(EST, ACK, opts=o)
    # tiny MSS from the active side's peer, then data
    s["synack_mss1_data"] = base + \
        tcp(SYN_SENT, SYN | ACK, seqmode=3, ackmode=0, win=65160,
            opts=syn_opts(1, 7, True, True, echo=True)) + \
        app(SYN_SENT, 0, b"\xff")
    # bogus timestamps
    s["tsecr_past"] = base + tcp(EST_DATA, ACK, ackmode=0,
                                 opts=bytes([9]) + u32(0) + u32(1))
    s["tsecr_future"] = base + tcp(EST_DATA, ACK, ackmode=0,
                                   opts=bytes([9]) + u32(0x7fffffff) +
                                   u32(0xfffffff0))
    s["paws_old"] = base + tcp(EST, ACK | PSH, opts=ts_opts(-100),
                               paylen=10, cmd=0)
    # sequence and window edges, per synchronized state
    for slot in (EST, FIN_WAIT1, FIN_WAIT2, CLOSING, CLOSE_WAIT, LAST_ACK,
                 TIME_WAIT, SYN_RECV):
        for name, sm in (("left", delta_mode(0, -1)),
                         ("wnd", delta_mode(2, 0)),
                         ("past", delta_mode(2, 1)),
                         ("irs", delta_mode(3, 0))):
            for fl in (ACK, RST, SYN, ACK | FIN, RST | ACK):
                s[f"seq_{slot:02d}_{name}_{fl:02x}"] = base + \
                    tcp(slot, fl, seqmode=sm, opts=ts_opts(), paylen=1 if
                        fl == ACK else 0)
        s[f"ack_{slot:02d}_future"] = base + tcp(slot, ACK,
                                                  ackmode=delta_mode(0, 5),
                                                  opts=ts_opts())
        s[f"ack_{slot:02d}_old"] = base + tcp(slot, ACK,
                                               ackmode=delta_mode(3, 0),
                                               opts=ts_opts())
    # IPv4 and TCP header damage on a live connection
    for name, ipmode, extra in (("mf", 1, b""), ("fragoff", 2, b""),
                                ("ipopts", 4, b""), ("ipcsum", 8, b""),
                                ("tcpcsum", 0x10, b""),
                                ("partial", 0x20, b""),
                                ("csum0", 0x30, b""),
                                ("split20", 0x40, b"\x14"),
                                ("split1", 0x40, b"\x01"),
                                ("lenplus", 0x80, b"\x05"),
                                ("lenminus", 0x80, b"\xf0")):
        s["ip_" + name] = base + tcp(EST, ACK | PSH, opts=ts_opts(),
                                     paylen=20, cmd=0, ipmode=ipmode,
                                     ip_extra=extra)
    s["rx_flags_good_bad"] = cfg(0x00, 0x04) + \
        tcp(EST, ACK, opts=ts_opts(), csum_flags=1, ipmode=0x10) + \
        tcp(EST, ACK, opts=ts_opts(), csum_flags=2)
    s["tx_offload"] = cfg(0x00, 0x08) + canned(EST, C_DATA, b"\x00")
    s["trace"] = cfg(0x00, 0x20) + canned(FRESH1, C_SYN) + \
        canned(EST, C_DATA, b"\x00") + tcp(EST, ACK, opts=raw_opts(
            bytes([5, 10]) + bytes(8) + bytes([0x22, 3, 1])))
    s["big_segment"] = base + tcp(EST, ACK | PSH, opts=ts_opts(), paylen=209,
                                  cmd=0)
    s["burst"] = base + b"".join(
        tcp(EST, ACK | PSH, opts=ts_opts(), paylen=10, cmd=0, hold=True,
            seqmode=delta_mode(0, 0)) for _ in range(5)) + step(1)
    s["mtu576"] = cfg(0x00, 0x01) + app(EST, 0, b"\xff")
    s["mtu9000"] = cfg(0x00, 0x02) + app(EST, 0, b"\xff")
    s["ecn"] = cfg(0x20, 0x00) + tcp(FRESH1, SYN | ECE | CWR, opts=syn_opts(1460),
                                 win=64240) + canned(FRESH1, C_ACK)
    s["no_options"] = cfg(0x1c, 0x00) + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK)
    s["spoofed_sources"] = base + b"".join(
        tcp(FRESH1 | 0x20, SYN, slot_extra=u32(a), opts=syn_opts(1460))
        for a in (0, 0xffffffff, 0xc61200ff, 0xe0000001, 0x7f000001,
                  0xc6120001, 0xf0000001, 0xc6130505))
    s["wrong_dst"] = base + tcp(EST | 0x40, ACK, slot_extra=u32(0xc6120063),
                                opts=ts_opts())
    s["ports_zero"] = base + tcp(FRESH1 | 0x10, SYN, slot_extra=u32(0),
                                 opts=syn_opts(1460))
    # ARP
    s["arp_request"] = base + arp(0, 5, 0)
    s["arp_reply_unsolicited"] = base + arp(1, 6, 0, unicast=True)
    s["arp_flood"] = base + b"".join(arp(i & 1, 3 + i, 0)
                                     for i in range(40))
    s["arp_other_subnet"] = base + arp(0, 0x85, 0) + arp(1, 0xc3, 0)
    s["arp_bad_len"] = base + arp(0, 5, 0, bad_len=(7, 4)) + \
        arp(0, 5, 0, mac=4 | (10 << 3))
    s["arp_special"] = base + b"".join(arp(0, 0xc0 + i, 0) for i in range(12))
    # raw frames: short, other EtherTypes, other protocols
    tcph = tcp_hdr(20013, 80, 1, 0, SYN, win=1024)
    s["raw_short"] = base + raw(bytes(10), fix_eth=False) + \
        raw(eth(b"\x45"), fix_ip=False)
    s["raw_ipv6"] = base + raw(eth(bytes(40), 0x86dd))
    s["raw_udp"] = base + raw(eth(ipv4(PEER, OUR, bytes(8), proto=17)))
    s["raw_icmp"] = base + raw(eth(ipv4(PEER, OUR, bytes(8), proto=1)))
    s["raw_ihl15"] = base + raw(eth(ipv4(PEER, OUR, tcph, ihl=15)))
    s["raw_ihl4"] = base + raw(eth(ipv4(PEER, OUR, tcph, ihl=4)))
    s["raw_version6"] = base + raw(eth(b"\x65" + ipv4(PEER, OUR, tcph)[1:]))
    for doff in (0, 4, 6, 15):
        s[f"raw_doff{doff}"] = base + raw(eth(ipv4(PEER, OUR, tcp_hdr(
            20013, 80, 1, 0, SYN, doff=doff))))
    s["raw_tcp_short"] = base + raw(eth(ipv4(PEER, OUR, tcph[:12])))
    s["raw_split"] = base + raw(eth(ipv4(PEER, OUR, tcph + bytes(100))),
                                split=True)
    s["raw_vlan"] = base + raw(eth(bytes(4) + ipv4(PEER, OUR, tcph), 0x8100))
    # several at once
    s["mixed"] = cfg(0x41, 0xc0) + canned(EST, C_DATA, b"\x00") + \
        canned(FIN_WAIT1, C_ACK) + canned(FIN_WAIT2, C_FIN) + \
        canned(CLOSE_WAIT, C_ACK) + app(CLOSE_WAIT, 1) + \
        canned(CLOSE_WAIT, C_ACK) + canned(SYN_RECV, C_ACK) + clock(61000) + \
        canned(TIME_WAIT, C_SYN) + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK) + clock(120000)
    mq_seeds(s)
    return s


def mq_seeds(s):
    """The two-stack mode: stack B on queue 1 of A's port, software
    steering. B's connections' segments reach A, which hands them over;
    ARP reaches A, which copies it to B."""
    m = mq()
    # every B connection's usual next segments, through A
    for slot in B_WORLD:
        for what in (C_ACK, C_FIN, C_DATA, C_RST, C_SYN, C_SYNACK,
                     C_RSTACK, C_BADTSECR):
            extra = b"\x07" if what == C_DATA else \
                b"\xb6" if what == C_SYNACK else b""
            s[f"mq_b{slot & 0xff}_canned{what}"] = \
                m + canned(slot, what, extra) + step(31)
    s["mq_b_synsent_synack"] = m + canned(B_SYN_SENT, C_SYNACK, b"\xb6") + \
        canned(B_SYN_SENT, C_DATA, b"\x00") + canned(B_SYN_SENT, C_ACK)
    s["mq_b_connect"] = m + app(B_FRESH1, 3, b"\x05" + u16(9000)) + \
        canned(B_FRESH1, C_SYNACK, b"\xb6") + \
        canned(B_FRESH1, C_DATA, b"\x00") + app(B_FRESH1, 1) + \
        canned(B_FRESH1, C_ACK) + canned(B_FRESH1, C_FIN) + clock(61000)
    s["mq_b_connect_far"] = m + app(B_FRESH2, 3, b"\xc8" + u16(80)) + \
        clock(5000)
    s["mq_b_connect_unanswered_arp"] = mq(0, 0x10) + \
        app(B_FRESH2, 3, b"\x30" + u16(80)) + clock(1000) + clock(3000)
    s["mq_b_send_close"] = m + app(B_EST, 0, b"\xff") + app(B_EST, 1) + \
        canned(B_EST, C_ACK) + canned(B_EST, C_FIN) + clock(61000)
    s["mq_b_data_acked"] = m + tcp(B_EST_DATA, ACK,
                                   ackmode=delta_mode(2, 0) | 4,
                                   ack_extra=u16(1000), opts=ts_opts()) + \
        clock(1000) + canned(B_EST_DATA, C_ACK)
    s["mq_b_sack"] = m + tcp(B_EST_DATA, ACK, ackmode=2,
                             opts=bytes([4, 0, 0, 2, 0, 5, 3, 10, 12]))
    s["mq_b_abort_each"] = m + b"".join(app(i, 2) for i in B_ALL)
    s["mq_b_close_each"] = m + b"".join(app(i, 1) for i in B_ALL) + \
        clock(1000)
    s["mq_b_timers"] = m + clock(1000) + clock(3000) + clock(7000) + \
        b"".join(clock(60000) for _ in range(6))
    s["mq_b_timewait"] = mq(0x40) + canned(B_FIN_WAIT2, C_FIN) + \
        canned(B_FIN_WAIT2, C_SYN) + canned(B_FIN_WAIT2, C_ACK) + \
        b"".join(app(B_FRESH1, 3, b"\x02" + u16(30005)) for _ in range(3))
    s["mq_b_neigh_resolve"] = m + app(B_EST, 6, b"\x30") + clock(1000) + \
        app(B_EST, 6, b"\xc6") + app(B_EST, 6, b"\x00")
    s["mq_b_listen"] = m + app(B_EST, 4, u16(9000)) + \
        tcp(FRESH1 | 0x10, SYN, slot_extra=u16(20013) + u16(9000),
            opts=syn_opts(1460), win=64240) + \
        tcp(FRESH2 | 0x10, SYN, slot_extra=u16(20014) + u16(9000),
            opts=syn_opts(1460), win=64240) + app(B_EST, 5, u16(9000))
    s["mq_b_sysctl"] = m + app(B_EST, 7, b"\x00" + u16(2)) + \
        app(B_EST, 7, b"\x84" + u16(2)) + app(B_EST, 7, b"\x08" + u16(1000)) + \
        canned(B_EST_DATA, C_ACK) + clock(10000)
    s["mq_echo"] = mq(0, 0x40) + canned(B_EST, C_DATA, b"\x00") + \
        canned(B_EST, C_ACK) + canned(B_EST, C_DATA, b"\x06") + step(10) + \
        canned(B_EST, C_ACK) + canned(B_EST, C_DATA, b"\x04") + clock(300)
    s["mq_hostile"] = mq(0, 0, 8) + app(B_FRESH1, 3, b"\x02" + u16(9001)) + \
        canned(B_FRESH1, C_SYNACK, b"\xb6") + canned(B_EST, C_FIN) + \
        canned(B_EST_FAR, C_DATA, b"\x05") + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK)
    # the inbox full: B's segments and ARP copies dropped
    s["mq_inbox_full"] = mq(0, 0, 0x80) + \
        tcp(B_EST, ACK | PSH, opts=ts_opts(), paylen=10, cmd=0) + \
        bytes([REPEAT, 200]) + canned(B_EST, C_ACK)
    s["mq_inbox_256_full"] = m + canned(B_EST_DATA, C_ACK) + \
        bytes([REPEAT, 255]) + bytes([REPEAT, 255]) + canned(B_EST, C_ACK)
    s["mq_inbox_full_burst"] = mq(0, 0, 0x80) + b"".join(
        tcp(B_EST, ACK | PSH, opts=ts_opts(), paylen=10, cmd=0, hold=True)
        for _ in range(8)) + step(1)
    # ARP: copies to B, which answers none of them
    s["mq_arp"] = m + arp(0, 5, 0) + arp(1, 6, 0, unicast=True) + \
        arp(0, 0xc0, 0) + arp(0, 0xc6, 0) + arp(1, 0x7e, 0x7e) + \
        b"".join(arp(i & 1, 3 + i, 0) for i in range(40))
    s["mq_arp_full"] = mq(0, 0, 0x80) + b"".join(
        arp(i & 1, 3 + i, 0, hold=True) for i in range(31)) + \
        arp(0, 5, 0) + bytes([REPEAT, 100])
    s["mq_arp_bad"] = m + arp(0, 5, 0, bad_len=(7, 4)) + \
        arp(0, 5, 0, mac=4 | (10 << 3)) + arp(0, 5, 0, mac=1) + \
        arp(2, 5, 0) + arp(0, 0x85, 0)
    # 4-tuples nobody has: A hands some to B by the hash, B resets them
    s["mq_unknown_tuples"] = m + b"".join(
        tcp(FRESH1 | 0x10, ACK, slot_extra=u16(40000 + i) + u16(33000 + i),
            opts=ts_opts()) for i in range(16))
    s["mq_unknown_syns"] = m + b"".join(
        tcp(FRESH1 | 0x10, SYN, slot_extra=u16(40000 + i) + u16(33000 + i),
            opts=syn_opts(1460)) for i in range(8))
    s["mq_unknown_rsts"] = m + b"".join(
        tcp(FRESH1 | 0x10, RST, slot_extra=u16(40000 + i) + u16(33000 + i))
        for i in range(8))
    # A stops listening: its SYNs go by the hash, to B's listener or a RST
    s["mq_a_unlisten"] = m + app(0, 5, u16(80)) + \
        b"".join(canned(f, C_SYN) + canned(f, C_ACK) +
                 canned(f, C_DATA, b"\x00") for f in (FRESH1, FRESH2, FRESH3)) + \
        canned(EST, C_DATA, b"\x00") + app(0, 4, u16(80)) + \
        canned(FRESH1, C_ACK)
    # the port spreads flows over both queues
    for name, c2, c3 in (("spread", 0x20, 0), ("spread_rx_ring", 0x21, 0),
                         ("spread_no_b_listen", 0x20, 0x10),
                         ("spread_small_inbox", 0xa0, 0),
                         ("spread_b_first", 0x20, 8)):
        sp = mq(0, 0, c2, c3)
        s[f"mq_{name}_states"] = sp + b"".join(
            canned(i, C_ACK) for i in ALL_SLOTS + B_WORLD) + \
            canned(EST, C_DATA, b"\x00") + canned(B_EST, C_DATA, b"\x00")
        s[f"mq_{name}_syns"] = sp + b"".join(
            canned(f, C_SYN) + canned(f, C_ACK) for f in (FRESH1, FRESH2, FRESH3)) + \
            b"".join(tcp(FRESH1 | 0x10, SYN, slot_extra=u16(41000 + i) + u16(80),
                         opts=syn_opts(1460)) for i in range(8))
        s[f"mq_{name}_arp"] = sp + b"".join(arp(i & 1, 3 + i, 0)
                                            for i in range(24))
    s["mq_spread_close_all"] = mq(0, 0, 0x20) + \
        b"".join(app(i, 1) for i in ALL_SLOTS + B_ALL) + \
        b"".join(canned(i, C_FIN) for i in ALL_SLOTS + B_WORLD) + clock(61000)
    # pools: B's own, A's small one shared
    s["mq_own_pool"] = mq(0, 0x40, 0x40) + app(B_EST, 0, b"\xff") + \
        canned(B_EST, C_DATA, b"\x06") + canned(B_EST, C_ACK) + \
        arp(0, 5, 0) + clock(1000)
    s["mq_small_pool"] = mq(0, 0x40, 0x04) + app(EST, 0, b"\xff") + \
        app(B_EST, 0, b"\xff") + app(B_EST_DATA, 0, b"\xff") + \
        canned(B_EST, C_DATA, b"\x06") + arp(0, 5, 0) + \
        canned(FRESH1, C_SYN) + bytes([REPEAT, 100]) + clock(1000)
    s["mq_small_tables"] = mq(0x80) + \
        b"".join(app(B_FRESH1 + i % 2, 3, bytes([2 + i]) + u16(7000 + i))
                 for i in range(8)) + clock(2000)
    # RSS: other RETAs and the symmetric key
    s["mq_reta_mostly_b"] = mq(0, 0, 0, 1) + \
        app(FRESH1, 3, b"\x05" + u16(9000)) + \
        canned(FRESH1, C_SYNACK, b"\xb6") + canned(B_EST, C_DATA, b"\x00")
    s["mq_reta_all_b"] = mq(0, 0, 0, 2) + \
        app(FRESH1, 3, b"\x05" + u16(9000)) + \
        app(B_FRESH1, 3, b"\x05" + u16(9000)) + \
        canned(B_FRESH1, C_SYNACK, b"\xb6") + canned(B_EST, C_DATA, b"\x00")
    s["mq_reta_reversed_symkey"] = mq(0, 0, 0, 7) + \
        canned(B_EST, C_DATA, b"\x00") + canned(EST_ACTIVE, C_DATA, b"\x00") + \
        b"".join(tcp(FRESH1 | 0x10, ACK, slot_extra=u16(40000 + i) +
                     u16(33000 + i)) for i in range(8))
    # the stacks freed as they are: a burst handed over at the end stays
    # in B's inbox, and pmtcp_stack_free() frees it
    s["mq_free_full_inbox"] = mq(0, 0, 0, 0x20) + \
        canned(B_EST_DATA, C_ACK) + bytes([REPEAT, 200]) + \
        b"".join(tcp(B_EST, ACK | PSH, opts=ts_opts(), paylen=10, cmd=0,
                     hold=True) for _ in range(20))
    s["mq_free_no_poll"] = mq(0, 0x40, 0x20, 0x20) + \
        app(B_EST, 0, b"\xff") + step(24) + app(EST, 0, b"\xff") + \
        arp(0, 5, 0, hold=True) + canned(B_EST, C_DATA, b"\x06")
    # the port stops taking frames: both queues' rings fill
    s["mq_tx_stall"] = m + step(24) + canned(B_EST, C_DATA, b"\x06") + \
        canned(FRESH1, C_SYN) + bytes([REPEAT, 255]) + clock(1000) + \
        step(25) + canned(B_EST, C_ACK)
    # several at once
    s["mq_trace_offload_rxflags"] = mq(0, 0x2c) + \
        tcp(B_EST, ACK | PSH, opts=ts_opts(), paylen=20, cmd=0,
            csum_flags=1) + canned(B_EST_FAR, C_DATA, b"\x00") + \
        tcp(B_EST, ACK, opts=ts_opts(), csum_flags=2)
    s["mq_mixed"] = mq(0x41, 0xc0, 0x20) + canned(B_EST, C_DATA, b"\x00") + \
        canned(B_FIN_WAIT2, C_FIN) + canned(EST, C_DATA, b"\x00") + \
        app(B_FRESH1, 3, b"\x02" + u16(9002)) + \
        canned(B_FRESH1, C_SYNACK, b"\xb6") + canned(FRESH1, C_SYN) + \
        canned(FRESH1, C_ACK) + clock(61000) + canned(B_EST_DATA, C_ACK) + \
        clock(120000)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_corpus.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        os.unlink(os.path.join(out, old))
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
