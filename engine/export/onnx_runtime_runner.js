// Runs an ONNX model in ONNX Runtime (onnxruntime-node) for PruneLab: `node runner.js REQUEST`.
// REQUEST is JSON {"model": path, "inputs": [{"name", "dims", "file"}] (no name: the model's
// inputs in order), "runs": n, "warmup": n,
// "threads": n, "outputs": folder}; each input file holds float32 values (little-endian).
// Prints JSON {"outputs": [{"name", "dims", "file"}], "seconds": [per run]}; writes each output's
// float32 values to a file in the outputs folder. Errors: a JSON {"error": text} and exit 1.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
    const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const ort = require('onnxruntime-node');
    const options = { graphOptimizationLevel: 'all' };
    if (request.threads > 0) {
        options.intraOpNumThreads = request.threads;
        options.interOpNumThreads = 1;
    }
    const session = await ort.InferenceSession.create(request.model, options);
    const feeds = {};
    request.inputs.forEach((input, i) => { input.name = input.name || session.inputNames[i]; });
    for (const input of request.inputs) {
        const bytes = fs.readFileSync(input.file);
        const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        feeds[input.name] = new ort.Tensor('float32', Float32Array.from(values), input.dims);
    }
    let results = null;
    for (let i = 0; i < (request.warmup || 0); ++i)
        results = await session.run(feeds);
    const seconds = [];
    for (let i = 0; i < Math.max(1, request.runs || 1); ++i) {
        const start = process.hrtime.bigint();
        results = await session.run(feeds);
        seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    const outputs = [];
    session.outputNames.forEach((name, i) => {
        const tensor = results[name];
        const file = path.join(request.outputs, 'output' + i + '.bin');
        const data = Float32Array.from(tensor.data, Number);
        fs.writeFileSync(file, Buffer.from(data.buffer));
        outputs.push({ name: name, dims: tensor.dims.map(Number), file: file });
    });
    process.stdout.write(JSON.stringify({ outputs: outputs, seconds: seconds }) + '\n');
}

main().catch((error) => {
    process.stdout.write(JSON.stringify({ error: String(error && error.message || error) }) + '\n');
    process.exit(1);
});
