//! Prints what the reader makes of each file: `cargo run -p gp2gp --example dump -- FILE...`.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match gp2gp::read(&bytes) {
            Err(e) => println!("{path}: {} {e}", e.kind),
            Ok(m) => {
                println!(
                    "{path}: {} in {} {:?}",
                    m.interaction.id(),
                    m.container.code(),
                    m.counts
                );
                if let Some(x) = &m.extract {
                    for c in &x.courses {
                        println!(
                            "  course {:?} {:?} {:?} drug={:?} snomed={:?} issues={} last={:?} expiry={:?} qty={:?} dose={:?} disc={:?}",
                            c.id, c.kind, c.status, c.drug_term, c.drug_snomed, c.issue_count,
                            c.last_issue.as_ref().map(|t| &t.raw), c.expiry.as_ref().map(|t| &t.raw),
                            c.quantity, c.dosage, c.discontinuation.as_ref().map(|d| d.reason.as_ref().and_then(|r| r.term()))
                        );
                    }
                    for a in &x.allergies {
                        println!(
                            "  allergy {:?} allergen={:?} term={:?} degraded={} reaction={:?}",
                            a.kind,
                            a.allergen.as_ref().map(|c| (&c.main.code, &c.main.code_system)),
                            a.allergen_term,
                            a.degraded,
                            a.reaction
                        );
                    }
                    for d in &x.degrades {
                        println!(
                            "  degrade {:?} {:?} {} {:?}",
                            d.kind, d.site, d.degraded_code, d.original_term
                        );
                    }
                    for d in &x.documents {
                        println!(
                            "  doc {:?} {:?} {:?} {:?} absent={:?} skel={}",
                            d.id, d.media_type, d.title, d.link, d.absent, d.skeleton
                        );
                    }
                    for p in &x.problems {
                        println!(
                            "  problem {:?} {:?} {:?} linked={}/{}",
                            p.status,
                            p.term,
                            p.significance,
                            p.linked.iter().filter(|l| l.statement.is_some()).count(),
                            p.linked.len()
                        );
                    }
                    println!(
                        "  no_snomed={} agents={} statements={}",
                        x.no_snomed.len(),
                        x.agents.len(),
                        x.statements.len()
                    );
                }
                if let Some(a) = &m.acknowledgement {
                    println!(
                        "  ack {:?} ref={:?} reasons={:?}",
                        a.ack_type, a.message_ref, a.reasons
                    );
                }
                if let Some(c) = &m.common_content {
                    println!(
                        "  copc {:?} from={:?} to={:?} subject={:?} file={:?} ack={:?}",
                        c.role,
                        c.from,
                        c.recipients,
                        c.subject,
                        c.file_reference,
                        c.acknowledgement.as_ref().map(|a| a.reason_codes())
                    );
                }
                for a in &m.attachments {
                    println!(
                        "  attachment {:?} {:?} b64={} manifest={:?} decoded={:?}",
                        a.content_id,
                        a.content_type,
                        a.base64,
                        a.manifest_index,
                        a.decode().map(|d| d.len())
                    );
                }
                for d in &m.diagnostics {
                    println!("  {d}");
                }
            }
        }
    }
}
