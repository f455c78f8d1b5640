import PDFDocument from 'pdfkit';

export interface CertificateFacts {
  lioName: string; attendee: string; course: string; heldOn: string; hours: string; number: string; organisation: string | null;
}

/** A certificate of attendance as a one-page A4 PDF (landscape), with the certificate number a funder can quote back. */
export function certificatePdf(f: CertificateFacts): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 56, info: { Title: `Certificate of attendance: ${f.course}`, Author: f.lioName } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 112;
    doc.rect(28, 28, doc.page.width - 56, doc.page.height - 56).lineWidth(3).stroke('#0b6e4f');
    doc.moveDown(2).font('Helvetica-Bold').fontSize(30).fillColor('#0b6e4f').text('Certificate of attendance', { align: 'center', width });
    doc.moveDown(1.5).font('Helvetica').fontSize(16).fillColor('#0b0c0c').text('This is to certify that', { align: 'center', width });
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(26).text(f.attendee, { align: 'center', width });
    if (f.organisation) doc.moveDown(0.3).font('Helvetica').fontSize(14).text(`of ${f.organisation}`, { align: 'center', width });
    doc.moveDown(0.8).font('Helvetica').fontSize(16).text('attended the course', { align: 'center', width });
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(22).text(f.course, { align: 'center', width });
    doc.moveDown(0.6).font('Helvetica').fontSize(14).text(`on ${f.heldOn} (${f.hours})`, { align: 'center', width });
    doc.moveDown(2).fontSize(14).text(f.lioName, { align: 'center', width });
    doc.moveDown(1.2).fontSize(11).fillColor('#505a5f').text(`Certificate number ${f.number}`, { align: 'center', width });
    doc.end();
  });
}
